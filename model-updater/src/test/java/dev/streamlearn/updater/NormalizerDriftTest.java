package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Drift from two snapshots' running moments equals the shift computed directly from the records in between. */
class NormalizerDriftTest {

  private static final List<String> FEATURES = List.of("a", "b");
  private static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(FEATURES).setLabels(List.of("x", "y")).build();

  @Property(tries = 300)
  void theShiftOfTheNewRecordsMeanInUnitsOfTheEarlierStd(@ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = -1e4, max = 1e4) Double> before,
      @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = -1e4, max = 1e4) Double> after, @ForAll @IntRange(min = -50, max = 50) int offset) {
    RunningStats s = new RunningStats(2);
    before.forEach(v -> s.update(new double[] {v, 2 * v}));
    NormalizerStats first = stats(s);
    after.forEach(v -> s.update(new double[] {v + offset, 2 * v}));
    NormalizerStats second = stats(s);

    double m0 = before.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double var0 = before.stream().mapToDouble(v -> (v - m0) * (v - m0)).sum() / before.size();
    double newMean = after.stream().mapToDouble(v -> v + offset).average().orElseThrow();
    Map<String, Double> drift = NormalizerDrift.between(first, second, FEATURES);
    if (var0 < 1e-6) {
      return; // all equal: no unit to measure in (tested apart)
    }
    double expected = (newMean - m0) / Math.sqrt(var0);
    assertThat(drift.get("a")).isCloseTo(expected, within(1e-6 * Math.max(1, Math.abs(expected))));
    // b is 2x: the same shift in its own units when nothing was added to it.
    double expectedB = (after.stream().mapToDouble(v -> 2 * v).average().orElseThrow() - 2 * m0) / (2 * Math.sqrt(var0));
    assertThat(drift.get("b")).isCloseTo(expectedB, within(1e-6 * Math.max(1, Math.abs(expectedB))));
  }

  @Test
  void nothingNewAResetOrAConstantFeatureGivesNoFigure() {
    RunningStats s = new RunningStats(2);
    for (int i = 0; i < 10; i++) {
      s.update(new double[] {i, 5});
    }
    NormalizerStats ten = stats(s);
    assertThat(NormalizerDrift.between(ten, ten, FEATURES)).as("no record in between").isEmpty();
    RunningStats fewer = new RunningStats(2);
    fewer.update(new double[] {100, 5});
    assertThat(NormalizerDrift.between(ten, stats(fewer), FEATURES)).as("a replay cleared the statistics").isEmpty();
    s.update(new double[] {4.5 + 3 * Math.sqrt(s.variance(0)), 9});
    assertThat(NormalizerDrift.between(ten, stats(s), FEATURES)).containsOnlyKeys("a").hasEntrySatisfying("a",
        v -> assertThat(v).isCloseTo(3.0, within(1e-9)));
  }

  private static NormalizerStats stats(RunningStats s) {
    return StatsCodec.toAvro(s, SPEC, "zscore", -1, Map.of(), 0);
  }
}
