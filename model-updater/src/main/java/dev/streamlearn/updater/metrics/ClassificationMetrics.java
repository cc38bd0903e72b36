package dev.streamlearn.updater.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification quality from true labels and predicted class probabilities: accuracy, balanced
 * accuracy, precision, recall and F1 per class and macro-averaged, ROC AUC (binary, or macro
 * one-vs-rest with multiple classes) and log loss. Computed from scratch over a window rather than
 * with DL4J's Evaluation, because the window slides (records leave it) and because these exact
 * definitions are checked against hand-computed cases in the tests.
 *
 * <p>Conventions: a class with no predicted positives has precision 0; with no actual positives,
 * recall 0 and it is left out of macro averages and balanced accuracy (it cannot be scored);
 * ROC AUC counts ties as half (Mann-Whitney); log loss clips probabilities at 1e-15.
 */
public record ClassificationMetrics(long n, double accuracy, double balancedAccuracy, double macroPrecision, double macroRecall, double macroF1,
    double rocAuc, double logLoss, double[] precision, double[] recall, double[] f1, long[] support) {

  private static final double EPS = 1e-15;

  public static ClassificationMetrics compute(int[] labels, double[][] probabilities, int classes) {
    int n = labels.length;
    long[] tp = new long[classes];
    long[] fp = new long[classes];
    long[] support = new long[classes];
    long correct = 0;
    double logLoss = 0;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      int p = argmax(probabilities[i]);
      support[y]++;
      if (p == y) {
        tp[y]++;
        correct++;
      } else {
        fp[p]++;
      }
      logLoss -= Math.log(Math.min(1 - EPS, Math.max(EPS, probabilities[i][y])));
    }
    double[] precision = new double[classes];
    double[] recall = new double[classes];
    double[] f1 = new double[classes];
    double sumP = 0;
    double sumR = 0;
    double sumF = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      precision[c] = tp[c] + fp[c] == 0 ? 0 : (double) tp[c] / (tp[c] + fp[c]);
      recall[c] = support[c] == 0 ? 0 : (double) tp[c] / support[c];
      f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
      if (support[c] > 0) {
        present++;
        sumP += precision[c];
        sumR += recall[c];
        sumF += f1[c];
      }
    }
    double auc;
    if (classes == 2) {
      auc = auc(labels, probabilities, 1);
    } else {
      double s = 0;
      int scored = 0;
      for (int c = 0; c < classes; c++) {
        double a = auc(labels, probabilities, c);
        if (!Double.isNaN(a)) {
          s += a;
          scored++;
        }
      }
      auc = scored == 0 ? Double.NaN : s / scored;
    }
    return new ClassificationMetrics(n, n == 0 ? Double.NaN : (double) correct / n, present == 0 ? Double.NaN : sumR / present,
        present == 0 ? Double.NaN : sumP / present, present == 0 ? Double.NaN : sumR / present, present == 0 ? Double.NaN : sumF / present,
        auc, n == 0 ? Double.NaN : logLoss / n, precision, recall, f1, support);
  }

  /** One-vs-rest ROC AUC for {@code positive}: the probability a random positive outscores a random negative (ties 1/2). NaN without both. */
  static double auc(int[] labels, double[][] probabilities, int positive) {
    int n = labels.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(probabilities[a][positive], probabilities[b][positive]));
    // Average ranks over ties, then the Mann-Whitney U statistic.
    double[] rank = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && probabilities[order[j + 1]][positive] == probabilities[order[i]][positive]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        rank[order[k]] = avg;
      }
      i = j + 1;
    }
    long pos = 0;
    double rankSum = 0;
    for (int k = 0; k < n; k++) {
      if (labels[k] == positive) {
        pos++;
        rankSum += rank[k];
      }
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  static int argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Flat map for the snapshot: accuracy, balanced_accuracy, macro_*, roc_auc, log_loss, and f1.LABEL / precision.LABEL / recall.LABEL. */
  public Map<String, Double> toMap(List<String> labelNames) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("n", (double) n);
    m.put("accuracy", accuracy);
    m.put("balanced_accuracy", balancedAccuracy);
    m.put("macro_precision", macroPrecision);
    m.put("macro_recall", macroRecall);
    m.put("macro_f1", macroF1);
    m.put("roc_auc", rocAuc);
    m.put("log_loss", logLoss);
    for (int c = 0; c < f1.length; c++) {
      String l = labelNames.get(c);
      m.put("precision." + l, precision[c]);
      m.put("recall." + l, recall[c]);
      m.put("f1." + l, f1[c]);
    }
    return m;
  }
}
