package dev.streamlearn.streams.rebalance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Streaming SMOTE. For each real training sample: count it, keep it in its class's reservoir, and
 * while a minority class is behind its target ({@code targetRatio} times the largest class's
 * count), emit synthetic samples interpolated between a real sample of that class and one of its k
 * nearest same-class neighbours (Chawla et al., 2002): {@code s = x + u (n - x)} with {@code u}
 * uniform in [0, 1).
 *
 * <p>Randomness comes from a generator seeded by the configured seed and the sample's id, so the
 * same input replayed in the same order gives the same synthetic records, whatever ran before.
 */
public final class Oversampler {

  public record Synthetic(String id, int label, double[] x, String parentId, String neighbourId) {}

  private final Reservoir[] reservoirs;
  private final long[] emitted;
  private final long[] real;
  private final int k;
  private final double targetRatio;
  private final int maxPerRecord;
  private final long seed;

  public Oversampler(int classes, int reservoirSize, int k, double targetRatio, int maxPerRecord, long seed) {
    this.reservoirs = new Reservoir[classes];
    for (int c = 0; c < classes; c++) {
      reservoirs[c] = new Reservoir(reservoirSize);
    }
    this.emitted = new long[classes];
    this.real = new long[classes];
    this.k = k;
    this.targetRatio = targetRatio;
    this.maxPerRecord = maxPerRecord;
    this.seed = seed;
  }

  /**
   * Learns one real sample and returns the synthetic samples to emit after it (possibly none): for
   * every class below its target, interpolations until it is back on target. The new sample is the
   * base of its own class's synthetic samples; other lagging classes (a majority record arrived)
   * take a random base from their reservoir, so the running ratio holds after every record instead
   * of lagging behind the minority's last arrival.
   */
  public List<Synthetic> offer(String id, int label, double[] x) {
    emitted[label]++;
    real[label]++;
    reservoirs[label].add(new Reservoir.Sample(id, x));
    List<Synthetic> out = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(seed ^ (id.hashCode() * 0x9E3779B97F4A7C15L));
    for (int c = 0; c < emitted.length; c++) {
      // Only a minority class (by real records) is oversampled: the largest class never gets synthetic records.
      int deficit = isLargest(c) ? 0 : (int) Math.min(maxPerRecord, target(c) - emitted[c]);
      Reservoir res = reservoirs[c];
      for (int j = 0; j < deficit && res.size() >= 2; j++) {
        Reservoir.Sample base = c == label ? new Reservoir.Sample(id, x) : res.get(rng.nextInt(res.size()));
        List<Reservoir.Sample> neighbours = res.nearest(base.x(), base.id(), k);
        Reservoir.Sample n = neighbours.get(rng.nextInt(neighbours.size()));
        double u = rng.nextDouble();
        double[] s = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          s[i] = base.x()[i] + u * (n.x()[i] - base.x()[i]);
        }
        out.add(new Synthetic(id + "#syn" + c + "." + j, c, s, base.id(), n.id()));
        emitted[c]++;
      }
    }
    return out;
  }

  /** For undersampling: whether a real sample of this class would push it past its share. */
  public boolean overRepresented(int label) {
    long minOther = Long.MAX_VALUE;
    for (int c = 0; c < emitted.length; c++) {
      if (c != label) {
        minOther = Math.min(minOther, emitted[c]);
      }
    }
    return minOther != Long.MAX_VALUE && emitted[label] + 1 > Math.max(1, minOther) / targetRatio;
  }

  /** For class weighting: the largest class's count over this class's (1 when unseen). */
  public double weight(int label) {
    long max = maxEmitted();
    return emitted[label] == 0 ? 1.0 : (double) max / emitted[label];
  }

  /** Counts a real sample without oversampling (undersample and weight modes). */
  public void count(int label) {
    emitted[label]++;
    real[label]++;
  }

  private boolean isLargest(int label) {
    for (long r : real) {
      if (r > real[label]) {
        return false;
      }
    }
    return true;
  }

  private long target(int label) {
    return (long) Math.ceil(targetRatio * maxEmitted());
  }

  private long maxEmitted() {
    long m = 0;
    for (long e : emitted) {
      m = Math.max(m, e);
    }
    return m;
  }

  public long emitted(int label) {
    return emitted[label];
  }

  public long real(int label) {
    return real[label];
  }

  public void restore(int label, long emittedCount, long realCount) {
    emitted[label] = emittedCount;
    real[label] = realCount;
  }

  public Reservoir reservoir(int label) {
    return reservoirs[label];
  }

  public int classes() {
    return emitted.length;
  }
}
