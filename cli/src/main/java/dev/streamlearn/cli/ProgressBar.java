package dev.streamlearn.cli;

import java.io.PrintStream;

/**
 * A progress line on stderr: redrawn in place on a terminal, one line per 10% otherwise, so CI
 * logs stay readable.
 */
public final class ProgressBar implements AutoCloseable {

  private final String task;
  private final long total;
  private final PrintStream out;
  private final boolean tty;
  private final long t0 = System.nanoTime();
  private long done;
  private long lastDrawNanos;
  private int lastDecile = -1;

  public ProgressBar(String task, long total) {
    this.task = task;
    this.total = total;
    this.out = System.err;
    this.tty = System.console() != null;
  }

  public void step(long n) {
    done += n;
    long now = System.nanoTime();
    if (tty && now - lastDrawNanos > 100_000_000L) {
      lastDrawNanos = now;
      out.print("\r" + line());
    } else if (!tty && total > 0) {
      int decile = (int) (10 * done / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        out.println(line());
      }
    }
  }

  private String line() {
    double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
    String rate = String.format("%,.0f rec/s", done / secs);
    if (total <= 0) {
      return String.format("%s %,d  %s", task, done, rate);
    }
    int width = 30;
    int filled = (int) Math.min(width, width * done / total);
    return String.format("%s [%s%s] %3d%% %,d/%,d  %s  %s", task, "#".repeat(filled), " ".repeat(width - filled),
        100 * done / total, done, total, rate, eta(secs));
  }

  /** Time left at the rate so far. */
  private String eta(double secs) {
    if (done >= total) {
      return String.format("done in %.1f s", secs);
    }
    if (done == 0) {
      return "eta -";
    }
    long left = Math.round(secs * (total - done) / done);
    return left < 60 ? "eta " + left + " s" : String.format("eta %d min %02d s", left / 60, left % 60);
  }

  public long done() {
    return done;
  }

  @Override
  public void close() {
    if (tty) {
      out.print("\r" + line() + "\n");
    } else if (lastDecile < 10) {
      out.println(line());
    }
  }
}
