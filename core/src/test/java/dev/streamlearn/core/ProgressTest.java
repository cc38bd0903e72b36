package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void workThatKeepsMovingMayTakeLongerThanTheStallWindow() {
    AtomicLong polls = new AtomicLong();
    // moves on every poll, and is done at the 12th: about 3 s of polling against a 1 s stall window
    assertThatCode(() -> Progress.untilDone("moving", polls::incrementAndGet, () -> polls.get() >= 12, Duration.ofSeconds(1),
        Duration.ofSeconds(30), () -> "n/a")).doesNotThrowAnyException();
  }

  @Test
  void aStallAfterProgressFailsAndSaysWhereItStood() {
    AtomicLong polls = new AtomicLong();
    // moves for three polls, then stays at 925
    assertThatThrownBy(() -> Progress.untilDone("stuck", () -> Math.min(922 + polls.incrementAndGet(), 925), () -> false, Duration.ofSeconds(1),
        Duration.ofSeconds(30), () -> "raw 925 of 1000"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("stuck: no progress for 1 s (at 925")
        .hasMessageContaining("raw 925 of 1000");
  }

  @Test
  void workThatNeverStartsGetsTwiceTheStallWindow() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> Progress.untilDone("starting", () -> 0, () -> false, Duration.ofSeconds(1), Duration.ofSeconds(30),
        () -> { throw new IllegalStateException("broker away"); }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("starting: no progress for 2 s (at 0")
        .hasMessageContaining("the counts could not be read");
    org.assertj.core.api.Assertions.assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(2000);
  }

  @Test
  void aReadingThatThrowsCountsAsNoChange() {
    AtomicLong polls = new AtomicLong();
    // every other reading fails; the measure still moves, and the work ends at the 12th poll
    assertThatCode(() -> Progress.untilDone("flaky", () -> {
      long n = polls.incrementAndGet();
      if (n % 2 == 0) {
        throw new IllegalStateException("timed out");
      }
      return n;
    }, () -> polls.get() >= 12, Duration.ofSeconds(1), Duration.ofSeconds(30), () -> "n/a")).doesNotThrowAnyException();
  }

  @Test
  void theCapEndsWorkThatNeverFinishes() {
    AtomicLong polls = new AtomicLong();
    assertThatThrownBy(() -> Progress.untilDone("endless", polls::incrementAndGet, () -> false, Duration.ofSeconds(5), Duration.ofSeconds(2),
        () -> "still going"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("endless: still moving but not done after 2 s")
        .hasMessageContaining("still going");
  }
}
