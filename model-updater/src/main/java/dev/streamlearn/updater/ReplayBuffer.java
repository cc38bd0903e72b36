package dev.streamlearn.updater;

import java.util.SplittableRandom;

/**
 * A uniform reservoir (Vitter's algorithm R) of the training records learnt so far, from which
 * mini-batches are replayed between new ones. One pass of stochastic gradient steps over a stream
 * stops far from what a batch learner reaches on the same records; replaying a few old mini-batches
 * per new one moves the network towards it at a bounded memory cost (capacity x features doubles),
 * without ever looking at the eval split. Seeded: the same stream replays the same records.
 */
public final class ReplayBuffer {

  private final double[][] x;
  private final int[] y;
  private final double[] w;
  private final SplittableRandom rng;
  private long seen;

  public ReplayBuffer(int capacity, long seed) {
    this.x = new double[capacity][];
    this.y = new int[capacity];
    this.w = new double[capacity];
    this.rng = new SplittableRandom(seed);
  }

  public void add(double[] features, int label, double weight) {
    seen++;
    int slot;
    if (seen <= x.length) {
      slot = (int) (seen - 1);
    } else {
      long r = rng.nextLong(seen);
      if (r >= x.length) {
        return;
      }
      slot = (int) r;
    }
    x[slot] = features;
    y[slot] = label;
    w[slot] = weight;
  }

  /** Forgets every record: after a rollback, the abandoned lineage's records must not be replayed into the restored version. */
  public void clear() {
    java.util.Arrays.fill(x, null);
    seen = 0;
  }

  public int size() {
    return (int) Math.min(seen, x.length);
  }

  /**
   * What follows each new mini-batch: {@code batches} mini-batches of {@code size} drawn from the reservoir are fitted,
   * then the new mini-batch's records join the reservoir. {@code weights} null: all 1. Returns the mini-batches replayed.
   */
  public int replayThenAdd(Trainer trainer, int batches, int size, double[][] x, int[] y, double[] weights) {
    int replayed = replay(trainer, batches, size);
    for (int i = 0; i < x.length; i++) {
      add(x[i], y[i], weights == null ? 1.0 : weights[i]);
    }
    return replayed;
  }

  /** Fits {@code batches} mini-batches of {@code size} drawn from the reservoir (none while it is empty); returns how many. */
  public int replay(Trainer trainer, int batches, int size) {
    int r = 0;
    for (; r < batches && size() > 0; r++) {
      Batch b = sample(size);
      trainer.fit(b.x(), b.y(), b.weights());
    }
    return r;
  }

  /** A mini-batch drawn uniformly with replacement from the reservoir. */
  public Batch sample(int n) {
    int size = size();
    double[][] bx = new double[n][];
    int[] by = new int[n];
    double[] bw = new double[n];
    boolean weighted = false;
    for (int i = 0; i < n; i++) {
      int k = rng.nextInt(size);
      bx[i] = x[k];
      by[i] = y[k];
      bw[i] = w[k];
      weighted |= w[k] != 1.0;
    }
    return new Batch(bx, by, weighted ? bw : null);
  }

  /** {@code weights} is null when every record has weight 1. */
  public record Batch(double[][] x, int[] y, double[] weights) {}
}
