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
  /** Whether the record in a slot is real (not synthetic): only real records may judge a rest ({@link #split}). */
  private final boolean[] real;
  private final SplittableRandom rng;
  private long seen;

  public ReplayBuffer(int capacity, long seed) {
    this.x = new double[capacity][];
    this.y = new int[capacity];
    this.w = new double[capacity];
    this.real = new boolean[capacity];
    this.rng = new SplittableRandom(seed);
  }

  public void add(double[] features, int label, double weight) {
    add(features, label, weight, true);
  }

  /** @param isReal false for a synthetic record (SMOTE's interpolation of real ones) */
  public void add(double[] features, int label, double weight, boolean isReal) {
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
    real[slot] = isReal;
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
    return replayThenAdd(trainer, batches, size, x, y, weights, null);
  }

  /** As above; {@code isReal} null: all real. */
  public int replayThenAdd(Trainer trainer, int batches, int size, double[][] x, int[] y, double[] weights, boolean[] isReal) {
    int replayed = replay(trainer, batches, size);
    for (int i = 0; i < x.length; i++) {
      add(x[i], y[i], weights == null ? 1.0 : weights[i], isReal == null || isReal[i]);
    }
    return replayed;
  }

  /**
   * The reservoir's slots cut in two for a rest: every {@code every}-th real record (by slot) judges it, the others (and every
   * synthetic record, made from real ones and so no fair judge) are fitted. A split's slots stay valid until the next add.
   */
  public Split split(int every) {
    int size = size();
    int[] fit = new int[size];
    int[] judge = new int[size];
    int nf = 0;
    int nj = 0;
    int realSeen = 0;
    for (int k = 0; k < size; k++) {
      if (real[k] && realSeen++ % every == every - 1) {
        judge[nj++] = k;
      } else {
        fit[nf++] = k;
      }
    }
    return new Split(java.util.Arrays.copyOf(fit, nf), java.util.Arrays.copyOf(judge, nj));
  }

  /** Slots of the reservoir: {@code fit} to draw mini-batches from, {@code judge} to score them on. */
  public record Split(int[] fit, int[] judge) {}

  /** Fits {@code batches} mini-batches of {@code size} drawn from the given slots; returns how many. */
  public int replay(Trainer trainer, int batches, int size, int[] slots) {
    int r = 0;
    for (; r < batches && slots.length > 0; r++) {
      Batch b = sample(size, slots);
      trainer.fit(b.x(), b.y(), b.weights());
    }
    return r;
  }

  /** The records in the given slots, in their order. */
  public Batch records(int[] slots) {
    double[][] bx = new double[slots.length][];
    int[] by = new int[slots.length];
    double[] bw = new double[slots.length];
    for (int i = 0; i < slots.length; i++) {
      bx[i] = x[slots[i]];
      by[i] = y[slots[i]];
      bw[i] = w[slots[i]];
    }
    return new Batch(bx, by, bw);
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
    return sample(n, null);
  }

  /** A mini-batch drawn uniformly with replacement from the given slots (null: the whole reservoir). */
  private Batch sample(int n, int[] slots) {
    int size = slots == null ? size() : slots.length;
    double[][] bx = new double[n][];
    int[] by = new int[n];
    double[] bw = new double[n];
    boolean weighted = false;
    for (int i = 0; i < n; i++) {
      int k = slots == null ? rng.nextInt(size) : slots[rng.nextInt(size)];
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
