package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingTransformTest {

  /** Feature a: values 0, 2, 4 (mean 2, population std 1.633); b: 10, 10, 10 (std 0). */
  private static ServingTransform transform(String missing, String extra, double clipK) {
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(List.of("a", "b")).setLabels(List.of("x", "y"))
        .setMissing(missing).setExtra(extra).setClipK(clipK).build();
    RunningStats s = new RunningStats(2);
    s.update(new double[] {0, 10});
    s.update(new double[] {2, 10});
    s.update(new double[] {4, 10});
    return new ServingTransform(spec, StatsCodec.toAvro(s, spec, "zscore", -1, Map.of(), 0));
  }

  @Test
  void appliesTheMergedZScoreInSpecOrder() {
    double[] z = transform("reject", "reject", 0).apply(Map.of("b", 10.0, "a", 4.0));
    assertThat(z[0]).isCloseTo(2 / Math.sqrt(8.0 / 3), within(1e-12));
    assertThat(z[1]).as("a constant feature scales to 0").isEqualTo(0.0);
  }

  @Test
  void clipsAsTrainingDid() {
    assertThat(transform("reject", "reject", 1.0).apply(Map.of("a", 400.0, "b", 10.0))[0]).isEqualTo(1.0);
    assertThat(transform("reject", "reject", 0.0).apply(Map.of("a", 400.0, "b", 10.0))[0]).isGreaterThan(100);
  }

  @Test
  void aMissingFeatureIsAnErrorUnlessTrainedWithImputeMean() {
    assertThatThrownBy(() -> transform("reject", "reject", 0).apply(Map.of("b", 10.0)))
        .isInstanceOf(ServingTransform.InvalidFeaturesException.class).hasMessageContaining("missing feature 'a'").hasMessageContaining("missing=reject");
    assertThat(transform("impute-mean", "reject", 0).apply(Map.of("b", 10.0))[0]).as("the mean scales to 0").isEqualTo(0.0);
  }

  @Test
  void anUnknownFeatureIsAnErrorUnlessTrainedWithDrop() {
    assertThatThrownBy(() -> transform("reject", "reject", 0).apply(Map.of("a", 1.0, "b", 10.0, "c", 5.0)))
        .isInstanceOf(ServingTransform.InvalidFeaturesException.class).hasMessageContaining("unknown feature 'c'");
    assertThat(transform("reject", "drop", 0).apply(Map.of("a", 2.0, "b", 10.0, "c", 5.0))).containsExactly(0.0, 0.0);
  }

  @Test
  void nonFiniteValuesAreAlwaysErrors() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> transform("impute-mean", "drop", 0).apply(Map.of("a", bad, "b", 10.0)))
          .isInstanceOf(ServingTransform.InvalidFeaturesException.class).hasMessageContaining("'a' is not finite");
    }
  }
}
