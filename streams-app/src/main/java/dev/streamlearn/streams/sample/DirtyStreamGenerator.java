package dev.streamlearn.streams.sample;

import dev.streamlearn.streams.clean.RejectReason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic, realistically dirty labeled stream: imbalanced classes drawn from overlapping
 * Gaussian clusters (a payments-fraud flavour: amount, hour, distance, ...), with known faults:
 * duplicates resent far from their original, malformed lines, missing and unknown labels, NaN,
 * missing and extra features. It records exactly what it injected so tests and the quickstart can
 * check that the pipeline's counts reconcile.
 */
public final class DirtyStreamGenerator {

  public static final List<String> FEATURES = List.of("amount", "hour", "distance_km", "merchant_risk", "account_age_days", "velocity_1h");
  public static final List<String> LABELS = List.of("legit", "review", "fraud");
  private static final double[] CLASS_SHARE = {0.80, 0.14, 0.06};
  // Per class, per feature: mean and standard deviation.
  private static final double[][][] CLUSTERS = {
      {{60, 40}, {14, 4}, {8, 6}, {0.2, 0.1}, {900, 500}, {1.5, 1}},
      {{180, 90}, {9, 5}, {40, 25}, {0.5, 0.15}, {300, 250}, {3.5, 1.5}},
      {{420, 160}, {3, 2.5}, {160, 80}, {0.75, 0.12}, {40, 40}, {7, 2.5}},
  };

  /** What was generated, with the truth the pipeline's figures must match. */
  public record Output(List<String> lines, long valid, long duplicates, Map<RejectReason, Long> rejected, Map<String, Long> classes,
      List<double[]> validFeatures, List<String> validIds) {}

  private final SplittableRandom rnd;
  private final double faultRate;
  private final double duplicateRate;

  public DirtyStreamGenerator(long seed, double faultRate, double duplicateRate) {
    this.rnd = new SplittableRandom(seed);
    this.faultRate = faultRate;
    this.duplicateRate = duplicateRate;
  }

  public Output generate(int n) {
    List<String> lines = new ArrayList<>(n);
    List<String> validLines = new ArrayList<>();
    Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    Map<String, Long> classes = new LinkedHashMap<>();
    LABELS.forEach(l -> classes.put(l, 0L));
    List<double[]> validFeatures = new ArrayList<>();
    List<String> validIds = new ArrayList<>();
    long duplicates = 0;
    long ts = 1_764_000_000_000L;
    RejectReason[] faults = {RejectReason.MALFORMED, RejectReason.MISSING_ID, RejectReason.MISSING_LABEL, RejectReason.UNKNOWN_LABEL,
        RejectReason.NON_FINITE_FEATURE, RejectReason.MISSING_FEATURE, RejectReason.EXTRA_FEATURE};
    for (int i = 0; i < n; i++) {
      ts += 1 + rnd.nextInt(2000);
      if (!validLines.isEmpty() && rnd.nextDouble() < duplicateRate) {
        lines.add(validLines.get(rnd.nextInt(validLines.size()))); // resent, often far from the original
        duplicates++;
        continue;
      }
      int c = drawClass();
      double[] x = new double[FEATURES.size()];
      for (int f = 0; f < x.length; f++) {
        x[f] = round(CLUSTERS[c][f][0] + CLUSTERS[c][f][1] * rnd.nextGaussian());
      }
      String id = "tx-" + i;
      if (rnd.nextDouble() < faultRate) {
        RejectReason fault = faults[rnd.nextInt(faults.length)];
        lines.add(faulty(fault, id, ts, LABELS.get(c), x));
        rejected.merge(fault, 1L, Long::sum);
        continue;
      }
      String line = json(id, ts, LABELS.get(c), x, null);
      lines.add(line);
      validLines.add(line);
      validFeatures.add(x);
      validIds.add(id);
      classes.merge(LABELS.get(c), 1L, Long::sum);
    }
    return new Output(lines, validLines.size(), duplicates, rejected, classes, validFeatures, validIds);
  }

  private int drawClass() {
    double u = rnd.nextDouble();
    double acc = 0;
    for (int c = 0; c < CLASS_SHARE.length; c++) {
      acc += CLASS_SHARE[c];
      if (u < acc) {
        return c;
      }
    }
    return CLASS_SHARE.length - 1;
  }

  private String faulty(RejectReason fault, String id, long ts, String label, double[] x) {
    return switch (fault) {
      case MALFORMED -> json(id, ts, label, x, null).substring(0, 20 + rnd.nextInt(20));
      case MISSING_ID -> json(id, ts, label, x, null).replace("\"id\":\"" + id + "\",", "");
      case MISSING_LABEL -> json(id, ts, label, x, null).replace("\"label\":\"" + label + "\",", "");
      // Junk labels rarely repeat (a power-of-two bound takes one draw, as the old bound of 3 did, so the rest of the
      // stream is unchanged): a junk label as frequent as a rare class is a class to the inference.
      case UNKNOWN_LABEL -> json(id, ts, "unlabeled-" + rnd.nextInt(1 << 20), x, null);
      case NON_FINITE_FEATURE -> json(id, ts, label, x, null).replaceFirst("\"amount\":[-0-9.eE]+", "\"amount\":NaN");
      case MISSING_FEATURE -> json(id, ts, label, x, null).replaceFirst(",\"hour\":[-0-9.eE]+", "");
      case EXTRA_FEATURE -> json(id, ts, label, x, "device_score");
      default -> throw new IllegalArgumentException(fault.name());
    };
  }

  private static String json(String id, long ts, String label, double[] x, String extra) {
    StringBuilder sb = new StringBuilder(160).append("{\"id\":\"").append(id).append("\",\"ts\":").append(ts)
        .append(",\"label\":\"").append(label).append("\",\"features\":{");
    for (int f = 0; f < x.length; f++) {
      sb.append(f == 0 ? "" : ",").append('"').append(FEATURES.get(f)).append("\":").append(String.format(Locale.ROOT, "%.4f", x[f]));
    }
    if (extra != null) {
      sb.append(",\"").append(extra).append("\":0.5");
    }
    return sb.append("}}").toString();
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
