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
   * processed, say), and {@code describe} says where things stand when it fails. Until the measure first changes (an app
   * still starting: its counts read 0 until its first report) the allowance is twice {@code stall}. A poll whose
   * reading throws (a broker slow to answer) counts as one without a change.
   */
  public static void untilDone(String what, LongSupplier measure, Callable<Boolean> done, Duration stall, Duration cap,
      Supplier<String> describe) {
    long started = System.nanoTime();
    long[] last = {Long.MIN_VALUE};
    long[] movedAt = {started};
    boolean[] moved = {false};
    try {
      Awaitility.await().atMost(cap).pollInterval(Duration.ofMillis(250)).until(() -> {
        long now = System.nanoTime();
        try {
          if (done.call()) {
            return true;
          }
          long m = measure.getAsLong();
          if (m != last[0]) {
            moved[0] = last[0] != Long.MIN_VALUE;
            last[0] = m;
            movedAt[0] = now;
            return false;
          }
        } catch (RuntimeException e) {
          // no reading this time: judged as no change below
        }
        long allowance = moved[0] ? stall.toNanos() : 2 * stall.toNanos();
        if (now - movedAt[0] > allowance) {
          throw new AssertionError(what + ": no progress for " + allowance / 1_000_000_000 + " s (at " + last[0] + ", after "
              + (now - started) / 1_000_000 + " ms); " + safely(describe));
        }
        return false;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + ": still moving but not done after " + cap.toSeconds() + " s (at " + last[0] + "); "
          + safely(describe), e);
    }
  }

  private static String safely(Supplier<String> describe) {
    try {
      return describe.get();
    } catch (RuntimeException e) {
      return "(the counts could not be read: " + e + ")";
    }
  }
}
