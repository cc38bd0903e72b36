package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Streaming SMOTE against its contract, on generated streams of 2 to 8 classes: random and
 * interleaved class orders, near-equal classes, late classes, classes too small to be oversampled,
 * any target ratio and pace. The expected figures are computed here from the labels alone.
 *
 * <p>What is exact for every stream: a class gets synthetic records only while it is eligible and
 * below its target, never past it and at most {@code bound} after one real record; a lagging class
 * gets exactly {@code bound} until it is back on target; every synthetic point lies on the segment
 * between two real records of its class. Synthetic records cannot be taken back, so a class that
 * later outgrows its past deficit (near-equal classes changing places, a late class arriving faster
 * than its target grows) ends above target by at most that largest past deficit, and a class that
 * never lagged (the largest class throughout) gets none. On streams whose class rates are steady
 * once a class has arrived, every eligible class ends within 2% of its target.
 */
class OversamplerPropertiesTest {

  enum Shape { SHUFFLED, NEAR_EQUAL, LATE, TINY, MIXED }

  @Property(tries = 150)
  void anyStreamKeepsTargetsPaceAndParents(@ForAll @IntRange(min = 2, max = 8) int classes, @ForAll Shape shape, @ForAll long seed,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double ratio, @ForAll @IntRange(min = 1, max = 50) int bound,
      @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 0, max = 14) int extraMin) {
    int minRecords = k + 1 + extraMin;
    SplittableRandom rnd = new SplittableRandom(seed);
    Classes c = classes(classes, shape, minRecords, rnd);
    int[] labels = order(c, rnd, false);
    Outcome o = run(labels, classes, ratio, bound, k, minRecords, seed);
    Trace t = o.trace;
    for (int d = 0; d < classes; d++) {
      long synthetic = o.emitted[d] - t.real[d];
      // Synthetic records only ever close a deficit the class had: none for a class that never lagged.
      assertThat(synthetic).as("class %d: synthetic <= its largest past deficit", d).isLessThanOrEqualTo(Math.max(0, t.maxGap[d]));
      if (t.eligibleAt[d] >= 0) {
        // The deficit at eligibility closes by at least bound - 1 a record (the target grows by at most 1).
        long open = Math.max(0, t.gapAtEligibility[d] - bound - (long) (bound - 1) * t.after[d]);
        assertThat(t.target() - o.emitted[d]).as("class %d: deficit left", d).isLessThanOrEqualTo(open);
      } else {
        assertThat(synthetic).as("class %d has too few records to be oversampled", d).isZero();
      }
    }
  }

  @Property(tries = 150)
  void steadyStreamsEndWithinTwoPercentOfTarget(@ForAll @IntRange(min = 2, max = 8) int classes, @ForAll Shape shape, @ForAll long seed,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double ratio, @ForAll @IntRange(min = 2, max = 50) int bound,
      @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 0, max = 14) int extraMin) {
    int minRecords = k + 1 + extraMin;
    SplittableRandom rnd = new SplittableRandom(seed);
    Classes c = classes(classes, shape, minRecords, rnd).steady(ratio);
    int[] stream = order(c, rnd, true);
    // Continue the stream (with the largest class) until every deficit has had time to close.
    Trace dry = Trace.of(stream, classes, ratio, minRecords);
    long tail = 0;
    for (int d = 0; d < classes; d++) {
      if (dry.eligibleAt[d] >= 0) {
        tail = Math.max(tail, (dry.gapAtEligibility[d] - bound - (long) (bound - 1) * dry.after[d] + bound - 2) / (bound - 1));
      }
    }
    int[] labels = Arrays.copyOf(stream, stream.length + (int) tail);
    Arrays.fill(labels, stream.length, labels.length, c.largest());

    Outcome o = run(labels, classes, ratio, bound, k, minRecords, seed);
    Trace t = o.trace;
    assertThat(o.emitted[c.largest()]).as("the largest real class gets no synthetic record").isEqualTo(t.real[c.largest()]);
    for (int d = 0; d < classes; d++) {
      if (t.eligibleAt[d] < 0) {
        assertThat(o.emitted[d]).as("class %d: too few records, not oversampled", d).isEqualTo(t.real[d]);
        continue;
      }
      long target = Math.max(t.target(), t.real[d]); // a class above the ratio needs nothing
      assertThat((double) o.emitted[d]).as("class %d: %d real, %d emitted, target %d", d, t.real[d], o.emitted[d], target)
          .isBetween(0.98 * target, 1.02 * target);
    }
  }

  // ---- the stream

  /** Per class: how many records and when (a fraction of the stream) it starts. */
  record Classes(int[] sizes, double[] starts) {
    int largest() {
      int l = 0;
      for (int d = 1; d < sizes.length; d++) {
        l = sizes[d] > sizes[l] ? d : l;
      }
      return l;
    }

    /**
     * Steady rates once arrived: the largest class starts first and stays strictly largest, and a
     * late class arrives no faster than its target grows (rate <= ratio x the largest's rate).
     */
    Classes steady(double ratio) {
      int l = largest();
      int[] n = sizes.clone();
      double[] s = starts.clone();
      n[l] = Math.max(n[l], (int) Math.ceil(Math.max(300, 100 / ratio))); // a target of 100 or more: 2% is at least 2 records
      s[l] = 0;
      for (int d = 0; d < n.length; d++) {
        if (d != l) {
          n[d] = Math.min(n[d], n[l] - 1);
          if (s[d] > 0) {
            n[d] = (int) Math.min(n[d], Math.floor(ratio * n[l] * (1 - s[d])));
          }
        }
      }
      return new Classes(n, s);
    }
  }

  static Classes classes(int classes, Shape shape, int minRecords, SplittableRandom rnd) {
    int[] n = new int[classes];
    double[] s = new double[classes];
    int base = rnd.nextInt(200, 1500);
    for (int d = 0; d < classes; d++) {
      Shape sh = shape == Shape.MIXED ? Shape.values()[rnd.nextInt(Shape.MIXED.ordinal())] : shape;
      n[d] = rnd.nextInt(minRecords, 1500);
      switch (sh) {
        case NEAR_EQUAL -> n[d] = (int) Math.round(base * (1 + rnd.nextDouble(-0.01, 0.01)));
        case LATE -> s[d] = d > 0 && rnd.nextBoolean() ? rnd.nextDouble(0.3, 0.95) : 0;
        case TINY -> n[d] = d > 0 && rnd.nextBoolean() ? rnd.nextInt(1, minRecords) : n[d];
        default -> { }
      }
    }
    return new Classes(n, s);
  }

  /** Each record at a time in [start, 1] of its class: uniform (a random order) or evenly spaced. */
  static int[] order(Classes c, SplittableRandom rnd, boolean evenlySpaced) {
    List<double[]> timed = new ArrayList<>();
    for (int d = 0; d < c.sizes().length; d++) {
      for (int i = 0; i < c.sizes()[d]; i++) {
        double u = evenlySpaced ? (i + 0.5) / c.sizes()[d] : rnd.nextDouble();
        timed.add(new double[] {c.starts()[d] + (1 - c.starts()[d]) * u, d});
      }
    }
    timed.sort((a, b) -> Double.compare(a[0], b[0]));
    return timed.stream().mapToInt(a -> (int) a[1]).toArray();
  }

  // ---- what the labels alone say

  /** Real counts over the stream, the target, and each class's deficits from its eligibility on. */
  static final class Trace {
    final long[] real;
    final int[] eligibleAt;
    final long[] gapAtEligibility;
    final long[] maxGap;
    final long[] after;
    final double ratio;
    final int minRecords;

    Trace(int classes, double ratio, int minRecords) {
      real = new long[classes];
      eligibleAt = new int[classes];
      Arrays.fill(eligibleAt, -1);
      gapAtEligibility = new long[classes];
      maxGap = new long[classes];
      Arrays.fill(maxGap, Long.MIN_VALUE);
      after = new long[classes];
      this.ratio = ratio;
      this.minRecords = minRecords;
    }

    static Trace of(int[] labels, int classes, double ratio, int minRecords) {
      Trace t = new Trace(classes, ratio, minRecords);
      for (int i = 0; i < labels.length; i++) {
        t.count(i, labels[i]);
      }
      return t;
    }

    void count(int index, int label) {
      real[label]++;
      long target = target();
      for (int d = 0; d < real.length; d++) {
        if (eligibleAt[d] >= 0) {
          after[d]++;
        } else if (real[d] >= minRecords) {
          eligibleAt[d] = index;
          gapAtEligibility[d] = target - real[d];
        }
        if (eligibleAt[d] >= 0) {
          maxGap[d] = Math.max(maxGap[d], target - real[d]);
        }
      }
    }

    boolean eligible(int d) {
      return eligibleAt[d] >= 0;
    }

    long target() {
      long max = Arrays.stream(real).max().orElse(0);
      return (long) Math.ceil(ratio * max * (1 - 1e-12));
    }
  }

  // ---- the oversampler on the stream, checked record by record

  record Outcome(Trace trace, long[] emitted) {}

  static Outcome run(int[] labels, int classes, double ratio, int bound, int k, int minRecords, long seed) {
    Oversampler sampler = new Oversampler(new ClassBalance(classes, ratio, minRecords, 10), 64, k, bound, seed);
    Trace t = new Trace(classes, ratio, minRecords);
    long[] emitted = new long[classes];
    Map<String, double[]> realX = new HashMap<>();
    Map<String, Integer> realLabel = new HashMap<>();
    Set<String> ids = new HashSet<>();
    SplittableRandom features = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i];
      double[] x = {label + features.nextGaussian(), features.nextGaussian(), 2 * features.nextGaussian()};
      String id = "r" + i;
      realX.put(id, x);
      realLabel.put(id, label);
      t.count(i, label);
      emitted[label]++;
      long[] got = new long[classes];
      for (Oversampler.Synthetic s : sampler.offer(id, label, x)) {
        got[s.label()]++;
        check(ids.add(s.id()), "synthetic ids are unique: %s", s.id());
        check(Integer.valueOf(s.label()).equals(realLabel.get(s.parentId())), "parent of %s is a real record of its class", s.id());
        check(Integer.valueOf(s.label()).equals(realLabel.get(s.neighbourId())), "neighbour of %s is a real record of its class", s.id());
        assertOnSegment(s.x(), realX.get(s.parentId()), realX.get(s.neighbourId()));
      }
      long target = t.target();
      for (int d = 0; d < classes; d++) {
        emitted[d] += got[d];
        check(got[d] <= bound, "record %d, class %d: %d synthetic, more than %d", i, d, got[d], bound);
        if (!t.eligible(d)) {
          check(got[d] == 0, "record %d: class %d is not eligible", i, d);
        } else {
          check(got[d] == 0 || emitted[d] <= target, "record %d, class %d: past the target %d", i, d, target);
          check(emitted[d] >= target || got[d] == bound, "record %d, class %d lags (%d < %d) and got only %d", i, d, emitted[d], target, got[d]);
        }
      }
    }
    for (int d = 0; d < classes; d++) {
      assertThat(sampler.balance().emitted(d)).isEqualTo(emitted[d]);
      assertThat(sampler.balance().real(d)).isEqualTo(t.real[d]);
    }
    return new Outcome(t, emitted);
  }

  private static void check(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new AssertionError(String.format(message, args));
    }
  }

  static void assertOnSegment(double[] s, double[] a, double[] b) {
    // s = a + u (b - a) for one u in [0, 1]
    double u = Double.NaN;
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(b[i] - a[i]) > 1e-9) {
        u = (s[i] - a[i]) / (b[i] - a[i]);
        break;
      }
    }
    double w = Double.isNaN(u) ? 0 : u;
    check(w >= -1e-12 && w <= 1 + 1e-12, "u = %s is outside [0, 1]", w);
    for (int i = 0; i < a.length; i++) {
      check(Math.abs(s[i] - (a[i] + w * (b[i] - a[i]))) < 1e-9, "%s is off the segment %s - %s", Arrays.toString(s), Arrays.toString(a), Arrays.toString(b));
    }
  }
}
