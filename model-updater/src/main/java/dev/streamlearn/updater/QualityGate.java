package dev.streamlearn.updater;

import dev.streamlearn.updater.metrics.ClassificationMetrics;

/**
 * Decides whether a new snapshot becomes current: its macro F1 on the eval window must not be worse
 * than the current version's on the same window, minus a tolerance. Without eval data, or without a
 * current version, there is nothing to compare and the snapshot is promoted.
 */
public final class QualityGate {

  public record Decision(boolean promote, String reason) {}

  private final boolean enabled;
  private final double tolerance;

  public QualityGate(boolean enabled, double tolerance) {
    this.enabled = enabled;
    this.tolerance = tolerance;
  }

  public Decision decide(ClassificationMetrics candidate, ClassificationMetrics current, long currentVersion) {
    if (!enabled) {
      return new Decision(true, "gate off");
    }
    if (current == null) {
      return new Decision(true, "first version");
    }
    if (candidate == null || candidate.n() == 0 || Double.isNaN(candidate.macroF1())) {
      return new Decision(true, "no eval data to compare");
    }
    double floor = current.macroF1() - tolerance;
    if (candidate.macroF1() >= floor) {
      return new Decision(true, String.format("macro F1 %.4f >= v%d's %.4f - %.3f", candidate.macroF1(), currentVersion, current.macroF1(), tolerance));
    }
    return new Decision(false, String.format("macro F1 %.4f < v%d's %.4f - %.3f on the same %d eval records", candidate.macroF1(), currentVersion,
        current.macroF1(), tolerance, candidate.n()));
  }
}
