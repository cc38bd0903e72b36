package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.streams.rebalance.ClassBalance;
import dev.streamlearn.streams.rebalance.Oversampler;
import dev.streamlearn.streams.rebalance.Reservoir;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Provide;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class StatisticalPropertiesTest {

  @Property(tries = 300)
  void mergedWelfordStatsEqualATwoPassBatchComputationForAnySplit(
      @ForAll @Size(min = 1, max = 400) List<@DoubleRange(min = -1e6, max = 1e6) Double> values,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 400) Integer> cuts) {
    // Split the data into consecutive parts at the given cut points, one RunningStats per part.
    List<Integer> points = new ArrayList<>(cuts.stream().map(c -> Math.min(c, values.size())).sorted().toList());
    points.add(values.size());
    RunningStats merged = new RunningStats(1);
    int from = 0;
    for (int to : points) {
      RunningStats part = new RunningStats(1);
      for (int i = from; i < to; i++) {
        part.update(new double[] {values.get(i)});
      }
      merged.merge(part);
      from = Math.max(from, to);
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
    double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size();
    assertThat(merged.count(0)).isEqualTo(values.size());
    assertRelativelyClose(merged.mean(0), mean, values.stream().mapToDouble(Math::abs).max().orElse(1));
    assertRelativelyClose(merged.variance(0), var, Math.max(var, 1e-300) + mean * mean * 1e-6);
    assertThat(merged.min(0)).isEqualTo(values.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
    assertThat(merged.max(0)).isEqualTo(values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
  }

  @Property(tries = 500)
  void anyFiniteValuesLeaveEveryMomentFiniteThroughUpdatesAndMerges(
      @ForAll @Size(min = 1, max = 200) List<@From("anyFinite") Double> values,
      @ForAll @IntRange(min = 0, max = 200) int cut) {
    RunningStats a = new RunningStats(1);
    RunningStats b = new RunningStats(1);
    for (int i = 0; i < values.size(); i++) {
      (i < cut ? a : b).update(new double[] {values.get(i)});
    }
    a.merge(b);
    assertThat(a.count(0)).isEqualTo(values.size());
    assertThat(List.of(a.mean(0), a.variance(0), a.std(0), a.min(0), a.max(0), a.m2s()[0])).allMatch(Double::isFinite);
    assertThat(a.variance(0)).isNotNegative();
  }

  @Property(tries = 300)
  void hugeButAllowedAndTinyValuesKeepExactMoments(
      @ForAll @Size(min = 1, max = 300) List<@From("hugeOrTiny") Double> values,
      @ForAll @IntRange(min = 0, max = 300) int cut) {
    RunningStats a = new RunningStats(1);
    RunningStats b = new RunningStats(1);
    for (int i = 0; i < values.size(); i++) {
      (i < cut ? a : b).update(new double[] {values.get(i)});
    }
    a.merge(b);
    double mean = values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
    double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size();
    double scale = values.stream().mapToDouble(Math::abs).max().orElse(1);
    assertThat(Math.abs(a.mean(0) - mean)).isLessThanOrEqualTo(1e-9 * scale + 1e-300);
    assertThat(Math.abs(a.variance(0) - var)).isLessThanOrEqualTo(1e-9 * Math.max(var, scale * scale * 1e-6) + 1e-300);
    assertThat(a.variance(0)).isFinite();
  }

  @Provide
  Arbitrary<Double> anyFinite() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(-Double.MAX_VALUE, Double.MAX_VALUE),
        Arbitraries.of(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, 0.0, -0.0, 1e308, -1e308, 1e154, -1e154),
        Arbitraries.doubles().between(-1, 1).ofScale(6).map(d -> d * 1e-300));
  }

  /** The default clean.feature.max.abs is 1e15: values up to it, and subnormal ones, must keep the moments exact. */
  @Provide
  Arbitrary<Double> hugeOrTiny() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(-1e15, 1e15),
        Arbitraries.of(1e15, -1e15, Double.MIN_VALUE, -Double.MIN_VALUE),
        Arbitraries.doubles().between(-1, 1).ofScale(6).map(d -> d * 1e-300));
  }

  /** |a-b| <= 1e-9 * scale: relative to the data's magnitude, as floating-point sums allow. */
  private static void assertRelativelyClose(double a, double b, double scale) {
    assertThat(Math.abs(a - b)).isLessThanOrEqualTo(1e-9 * Math.max(scale, Math.abs(b)) + 1e-12);
  }

  @Property(tries = 100)
  void everySyntheticPointLiesOnASegmentToOneOfItsKNearestSameClassNeighbours(
      @ForAll @IntRange(min = 20, max = 200) int n, @ForAll @IntRange(min = 1, max = 7) int k, @ForAll long seed) {
    int reservoirSize = 50;
    Oversampler sampler = new Oversampler(new ClassBalance(2, 1.0, k + 1, 10), reservoirSize, k, 20, seed);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      int label = rnd.nextDouble() < 0.2 ? 1 : 0;
      double[] x = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
      for (Oversampler.Synthetic s : sampler.offer("id" + i, label, x)) {
        // The parent is a real sample of the synthetic's class, the neighbour one of its k nearest in that class.
        Reservoir res = sampler.reservoir(s.label());
        Reservoir.Sample parent = find(res, s.parentId());
        List<Reservoir.Sample> candidates = kNearest(res, parent, k);
        Reservoir.Sample nb = candidates.stream().filter(c -> c.id().equals(s.neighbourId())).findFirst()
            .orElseThrow(() -> new AssertionError("neighbour " + s.neighbourId() + " is not among the " + k + " nearest"));
        assertOnSegment(s.x(), parent.x(), nb.x());
      }
    }
  }

  private static Reservoir.Sample find(Reservoir r, String id) {
    for (int i = 0; i < r.size(); i++) {
      if (r.get(i).id().equals(id)) {
        return r.get(i);
      }
    }
    throw new AssertionError("parent " + id + " is not a real sample in the reservoir");
  }

  private static List<Reservoir.Sample> kNearest(Reservoir r, Reservoir.Sample self, int k) {
    double[] x = self.x();
    List<Reservoir.Sample> all = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      if (!r.get(i).id().equals(self.id())) {
        all.add(r.get(i));
      }
    }
    all.sort(Comparator.comparingDouble(s -> dist(s.x(), x)));
    // include ties at the k-th distance
    if (all.size() <= k) {
      return all;
    }
    double kth = dist(all.get(k - 1).x(), x);
    return all.stream().filter(s -> dist(s.x(), x) <= kth).toList();
  }

  private static double dist(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s;
  }

  private static void assertOnSegment(double[] s, double[] a, double[] b) {
    // s = a + u (b - a) for one u in [0, 1]
    double u = Double.NaN;
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(b[i] - a[i]) > 1e-12) {
        u = (s[i] - a[i]) / (b[i] - a[i]);
        break;
      }
    }
    if (Double.isNaN(u)) {
      assertThat(s).containsExactly(a, org.assertj.core.data.Offset.offset(1e-12));
      return;
    }
    assertThat(u).isBetween(-1e-12, 1 + 1e-12);
    for (int i = 0; i < a.length; i++) {
      assertThat(s[i]).isCloseTo(a[i] + u * (b[i] - a[i]), org.assertj.core.data.Offset.offset(1e-9));
    }
  }
}
