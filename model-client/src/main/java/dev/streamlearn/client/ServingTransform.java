package dev.streamlearn.client;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.stats.StatsCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The transform a snapshot was trained with, applied at serving time: the spec's feature order, its
 * policies for missing and unknown features, the merged normalizer statistics and the clip. The
 * updater scores every candidate through this same class, so the published metrics measure what
 * services are served.
 */
public final class ServingTransform {

  private final DatasetSpec spec;
  private final RunningStats stats;
  private final Scaler scaler;
  private final boolean imputeMissing;
  private final boolean dropExtra;
  private final double maxAbs;

  public ServingTransform(DatasetSpec spec, NormalizerStats normalizer) {
    this.spec = spec;
    this.stats = normalizer == null ? new RunningStats(spec.getFeatures().size()) : StatsCodec.fromAvro(normalizer);
    this.scaler = new Scaler(Scaler.method(normalizer == null ? "zscore" : normalizer.getMethod()), spec.getClipK());
    this.imputeMissing = "impute-mean".equals(spec.getMissing());
    this.dropExtra = "drop".equals(spec.getExtra());
    // A limit below 1 cannot come from clean.feature.max.abs (at least 1): treat it as absent rather than reject every value.
    this.maxAbs = spec.getFeatureMaxAbs() >= 1 ? spec.getFeatureMaxAbs() : Double.MAX_VALUE;
  }

  public DatasetSpec spec() {
    return spec;
  }

  /**
   * Raw named values to the model's input vector. Throws {@link InvalidFeaturesException} naming every
   * problem where training would have rejected the record: a missing feature (unless trained with
   * missing=impute-mean), a feature outside the spec (unless extra=drop), a NaN or infinite value, a
   * value whose magnitude training would have rejected as out of range.
   */
  public double[] apply(Map<String, Double> raw) {
    List<String> names = spec.getFeatures();
    List<String> problems = new ArrayList<>();
    double[] x = new double[names.size()];
    for (int i = 0; i < x.length; i++) {
      Double v = raw.get(names.get(i));
      if (v == null) {
        if (!imputeMissing) {
          problems.add("missing feature '" + names.get(i) + "'");
        }
        x[i] = Double.NaN; // the scaler imputes the mean
      } else if (!Double.isFinite(v)) {
        problems.add("feature '" + names.get(i) + "' is not finite");
      } else if (Math.abs(v) > maxAbs) {
        problems.add("feature '" + names.get(i) + "' is out of range (|x| > " + maxAbs + ", clean.feature.max.abs at training)");
      } else {
        x[i] = v;
      }
    }
    if (!dropExtra) {
      for (String name : raw.keySet()) {
        if (!names.contains(name)) {
          problems.add("unknown feature '" + name + "'");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidFeaturesException(String.join("; ", problems) + " (the model was trained with missing=" + spec.getMissing()
          + ", extra=" + spec.getExtra() + ")");
    }
    return scaler.transform(stats, x);
  }

  /** Cleaned raw values in spec order (NaN where a missing value was imputed) to the model's input vector. */
  public double[] apply(double[] rawInSpecOrder) {
    return scaler.transform(stats, rawInSpecOrder);
  }

  /** A record's features cannot be served under the model's training policy. */
  public static final class InvalidFeaturesException extends IllegalArgumentException {
    public InvalidFeaturesException(String message) {
      super(message);
    }
  }
}
