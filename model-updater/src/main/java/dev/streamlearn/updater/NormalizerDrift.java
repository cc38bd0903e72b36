package dev.streamlearn.updater;

import dev.streamlearn.avro.NormalizerStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far each feature's mean moved between two snapshots, in units of its standard deviation at the first: the mean of
 * the records that arrived in between (recovered exactly from the two sets of running moments: n1·m1 − n0·m0 over
 * n1 − n0) minus the earlier mean, over the earlier standard deviation. The running mean itself barely moves once many
 * records are in; the mean of the new records shows a drifting stream at once. The deviation is the one the z-score
 * normalizer uses (population: M2 / n).
 */
public final class NormalizerDrift {

  private NormalizerDrift() {}

  /**
   * Per feature name, the signed shift; a feature is left out when nothing new arrived for it, when its count went down
   * (a replay cleared the statistics), or when its earlier deviation is zero (no unit to measure in).
   */
  public static Map<String, Double> between(NormalizerStats before, NormalizerStats after, List<String> features) {
    Map<String, Double> out = new LinkedHashMap<>();
    int width = features.size();
    if (before.getCount().size() != width || after.getCount().size() != width) {
      return out;
    }
    for (int i = 0; i < width; i++) {
      long n0 = before.getCount().get(i);
      long n1 = after.getCount().get(i);
      if (n0 < 1 || n1 <= n0) {
        continue;
      }
      double m0 = before.getMean().get(i);
      double std0 = Math.sqrt(before.getM2().get(i) / n0); // the deviation the z-score normalizer divides by
      if (!(std0 > 0)) {
        continue;
      }
      double newMean = (n1 * after.getMean().get(i) - n0 * m0) / (n1 - n0);
      double shift = (newMean - m0) / std0;
      if (Double.isFinite(shift)) {
        out.put(features.get(i), shift);
      }
    }
    return out;
  }
}
