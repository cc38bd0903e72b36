package dev.streamlearn.updater;

import dev.streamlearn.updater.metrics.Predictions;
import java.util.Locale;

/** The metric the quality gate compares, with its direction; named as in the snapshot's metrics map and in updater.gate.metric. */
public enum GateMetric {
  ROC_AUC(true),
  LOG_LOSS(false),
  BALANCED_ACCURACY(true),
  MACRO_F1(true);

  private final boolean higherIsBetter;

  GateMetric(boolean higherIsBetter) {
    this.higherIsBetter = higherIsBetter;
  }

  /** @throws IllegalArgumentException naming the accepted values */
  public static GateMetric parse(String name) {
    for (GateMetric m : values()) {
      if (m.key().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown gate metric '" + name + "': one of roc_auc, log_loss, balanced_accuracy, macro_f1");
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The metric over the records, record i counted {@code counts[i]} times. */
  public double score(Predictions p, int[] counts) {
    return switch (this) {
      case ROC_AUC -> p.rocAuc(counts);
      case LOG_LOSS -> p.logLoss(counts);
      case BALANCED_ACCURACY -> p.balancedAccuracy(counts);
      case MACRO_F1 -> p.macroF1(counts);
    };
  }
}
