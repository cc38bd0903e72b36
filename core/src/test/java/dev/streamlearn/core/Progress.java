package dev.streamlearn.core;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for a pipeline to finish by its progress rather than by a fixed budget. A fixed budget sized for an idle
 * machine fails on a loaded one while the work is still moving (the CI run of 8a589bf: a replay at 925 of 1,000 raw
 * records after 90 s, on a machine where the test's first half had taken 125 s instead of 10 s); one sized for the
 * loaded machine hides a stall for minutes. This fails when the measure has not moved for {@code stall}, or at
 * {@code cap} whatever happens, and says where it stood.
 */
public final class Progress {

  private Progress() {}

  /**
   * Polls {@code done} until it holds; {@code measure} is what moves while the work goes on (a count of records
   * processed, say), and {@code describe} says where things stand when it fails.
   */
  public static void untilDone(String what, LongSupplier measure, Callable<Boolean> done, Duration stall, Duration cap,
      Supplier<String> describe) {
    long started = System.nanoTime();
    long[] last = {Long.MIN_VALUE};
    long[] movedAt = {started};
    try {
      Awaitility.await().atMost(cap).pollInterval(Duration.ofMillis(250)).until(() -> {
        if (done.call()) {
          return true;
        }
        long now = System.nanoTime();
        long m = measure.getAsLong();
        if (m != last[0]) {
          last[0] = m;
          movedAt[0] = now;
        } else if (now - movedAt[0] > stall.toNanos()) {
          throw new AssertionError(what + ": no progress for " + stall.toSeconds() + " s (at " + m + ", after "
              + (now - started) / 1_000_000 + " ms); " + describe.get());
        }
        return false;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + ": still moving but not done after " + cap.toSeconds() + " s (at " + last[0] + "); "
          + describe.get(), e);
    }
  }
}
