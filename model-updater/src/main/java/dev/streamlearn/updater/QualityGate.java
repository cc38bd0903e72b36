package dev.streamlearn.updater;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.updater.metrics.Predictions;
import java.util.Locale;

/**
 * Decides whether a new snapshot becomes current. The candidate and the current version are scored
 * on the same eval records, and a paired bootstrap gives a confidence interval of the difference in
 * the gate metric. The candidate is held only when it is worse with the configured confidence: the
 * whole interval lies on the worse side of the tolerance. A difference the records cannot tell from
 * noise promotes, so the newest model (trained on the most data) serves unless the evidence is
 * against it.
 *
 * <p>With fewer than {@code updater.gate.min.records} eval records the gate does not judge and
 * promotes, saying so: holding on no evidence would freeze the first version, which is how a whole
 * stream once ended up served by a model trained on its first few thousand records. The first
 * version and a disabled gate promote too.
 */
public final class QualityGate {

  /**
   * The outcome and what it rests on; {@code judged} is false when no comparison was made (then the
   * values are NaN). {@code reason} states the metric, both values, the interval and n.
   */
  public record Decision(boolean promote, String reason, boolean judged, GateMetric metric, double candidate, double current, double low,
      double high, int n) {

    static Decision unjudged(GateMetric metric, String reason) {
      return new Decision(true, reason, false, metric, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }
  }

  private final boolean enabled;
  private final GateMetric metric;
  private final double confidence;
  private final int minRecords;
  private final double tolerance;
  private final PairedBootstrap bootstrap;
  private final int resamples;

  public QualityGate(boolean enabled, GateMetric metric, double confidence, int minRecords, double tolerance, int resamples, long seed) {
    this.enabled = enabled;
    this.metric = metric;
    this.confidence = confidence;
    this.minRecords = minRecords;
    this.tolerance = tolerance;
    this.resamples = resamples;
    this.bootstrap = new PairedBootstrap(resamples, seed);
  }

  public static QualityGate from(StreamlearnConfig c) {
    return new QualityGate(c.getBoolean(GATE_ENABLED), GateMetric.parse(c.getString(GATE_METRIC)), c.getDouble(GATE_CONFIDENCE),
        c.getInt(GATE_MIN_RECORDS), c.getDouble(GATE_TOLERANCE), c.getInt(GATE_RESAMPLES), c.getLong(SEED));
  }

  public GateMetric metric() {
    return metric;
  }

  /**
   * @param candidate the new snapshot's predictions on the eval records, or null without any
   * @param current the serving version's predictions on the same records, or null without a serving version
   */
  public Decision decide(Predictions candidate, Predictions current, long currentVersion) {
    if (!enabled) {
      return Decision.unjudged(metric, "gate off");
    }
    if (current == null) {
      return Decision.unjudged(metric, "first version");
    }
    int n = candidate == null ? 0 : candidate.size();
    if (n < minRecords) {
      return Decision.unjudged(metric, String.format(Locale.ROOT, "not judged: %d eval records < updater.gate.min.records %d", n, minRecords));
    }
    int[] once = new int[n];
    java.util.Arrays.fill(once, 1);
    double cand = metric.score(candidate, once);
    double cur = metric.score(current, once);
    if (Double.isNaN(cand) || Double.isNaN(cur)) {
      return Decision.unjudged(metric, String.format(Locale.ROOT, "not judged: %s undefined on these %d eval records (one class only?)", metric.key(), n));
    }
    PairedBootstrap.Interval ci = bootstrap.difference(metric, candidate, current, confidence);
    boolean worse = metric.higherIsBetter() ? ci.high() < -tolerance : ci.low() > tolerance;
    String stated = String.format(Locale.ROOT, "%s %.4f vs v%d's %.4f on the same %d eval records, difference %+.4f, %.0f%% CI [%+.4f, %+.4f] (paired bootstrap, %d resamples)",
        metric.key(), cand, currentVersion, cur, n, cand - cur, confidence * 100, ci.low(), ci.high(), ci.resamples());
    String verdict = worse ? ": worse" : ": not worse with " + Math.round(confidence * 100) + "% confidence";
    String margin = tolerance > 0 ? String.format(Locale.ROOT, " (tolerance %.4f)", tolerance) : "";
    return new Decision(!worse, stated + verdict + margin, true, metric, cand, cur, ci.low(), ci.high(), n);
  }
}
