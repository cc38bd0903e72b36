package dev.streamlearn.updater;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bounded hand-off from the updater's consumer thread to a training thread: one mini-batch is fitted here while the
 * consumer polls, decodes and assembles the next. At most one is in flight, so a hand-off waits for the previous fit and
 * the fits run in the order they were handed over, on one thread: what they compute is what the consumer's thread would
 * have computed fitting them itself, bit for bit (the dropout masks aside: ND4J's generator is per thread, and this one's is
 * seeded here, not where the network was built).
 *
 * <p>The caller reads the network only after {@link #await}; the wait, through the fit's {@link Future}, is also what makes
 * the fit's writes visible to it.
 */
final class FitThread implements AutoCloseable {

  private final ExecutorService executor;
  private Future<?> inFlight;

  FitThread(String name, long seed) {
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true); // a fit in flight at exit belongs to no snapshot: nothing is lost by not waiting for it
      return t;
    });
    // ND4J's random generator is per thread: this one's, like the consumer thread's, starts from the configured seed.
    executor.execute(() -> Nd4j.getRandom().setSeed(seed));
  }

  /** Waits for the fit in flight (throwing its failure, if it failed), then hands {@code fit} over and returns. */
  void handOver(Runnable fit) {
    await();
    inFlight = executor.submit(fit);
  }

  /**
   * Returns once every fit handed over is done, throwing the failure of one that failed (a fit is a few milliseconds: an
   * interrupt is kept for the caller rather than leaving the network half-fitted under it).
   */
  void await() {
    Future<?> f = inFlight;
    if (f == null) {
      return;
    }
    inFlight = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException("fitting a mini-batch failed", cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the thread once the fit in flight, if any, is done; its failure is not thrown any more. */
  @Override
  public void close() {
    try {
      await();
    } catch (RuntimeException ignored) {
      // the learner is being dropped (leadership lost, updater stopping): a failed last fit changes nothing now
    } finally {
      executor.shutdown();
    }
  }
}
