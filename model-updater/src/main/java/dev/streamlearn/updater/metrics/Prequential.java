package dev.streamlearn.updater.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prequential (test-then-train) metrics, as River and MOA report them: every real training record
 * is scored by the model just before the model learns it, so the score measures the model on records
 * it has not seen, over the whole stream and without holding any records back. Cumulative along a
 * lineage: a snapshot stores the counts ({@link #toMap}) and the learner continuing from it restores
 * them ({@link #fromMap}).
 */
public final class Prequential {

  private final List<String> labels;
  private final long[] count;
  private final long[] correct;
  private double logLossSum;

  public Prequential(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.count = new long[labels.size()];
    this.correct = new long[labels.size()];
  }

  /** Scores one record the model has not learnt yet. */
  public void update(int label, double[] probabilities) {
    count[label]++;
    if (Predictions.argmax(probabilities) == label) {
      correct[label]++;
    }
    logLossSum += Predictions.logLoss(probabilities, label);
  }

  public long n() {
    long n = 0;
    for (long c : count) {
      n += c;
    }
    return n;
  }

  public double accuracy() {
    long n = n();
    long right = 0;
    for (long c : correct) {
      right += c;
    }
    return n == 0 ? Double.NaN : (double) right / n;
  }

  /** Mean recall over the classes seen, as scikit-learn's balanced_accuracy_score. */
  public double balancedAccuracy() {
    double sum = 0;
    int seen = 0;
    for (int c = 0; c < count.length; c++) {
      if (count[c] > 0) {
        sum += (double) correct[c] / count[c];
        seen++;
      }
    }
    return seen == 0 ? Double.NaN : sum / seen;
  }

  public double logLoss() {
    long n = n();
    return n == 0 ? Double.NaN : logLossSum / n;
  }

  /** preq_n, preq_accuracy, preq_balanced_accuracy, preq_log_loss, and the counts that restore it: preq_count.LABEL, preq_correct.LABEL. */
  public Map<String, Double> toMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("preq_n", (double) n());
    m.put("preq_accuracy", accuracy());
    m.put("preq_balanced_accuracy", balancedAccuracy());
    m.put("preq_log_loss", logLoss());
    for (int c = 0; c < count.length; c++) {
      m.put("preq_count." + labels.get(c), (double) count[c]);
      m.put("preq_correct." + labels.get(c), (double) correct[c]);
    }
    return m;
  }

  /** The state a snapshot's metrics recorded; empty for a snapshot from before prequential metrics. */
  public static Prequential fromMap(Map<String, Double> metrics, List<String> labels) {
    Prequential p = new Prequential(labels);
    for (int c = 0; c < labels.size(); c++) {
      p.count[c] = metrics.getOrDefault("preq_count." + labels.get(c), 0.0).longValue();
      p.correct[c] = metrics.getOrDefault("preq_correct." + labels.get(c), 0.0).longValue();
    }
    double loss = metrics.getOrDefault("preq_log_loss", Double.NaN);
    p.logLossSum = p.n() == 0 || Double.isNaN(loss) ? 0 : loss * p.n();
    return p;
  }
}
