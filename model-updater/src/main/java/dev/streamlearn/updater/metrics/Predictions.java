package dev.streamlearn.updater.metrics;

import java.util.Arrays;

/**
 * One model's class probabilities for a set of labelled records, prepared once so any metric can be
 * computed for any reweighting of the records in linear time: the predicted class and the log loss
 * of each record, and each class's records ordered by their score. The paired bootstrap of the
 * quality gate draws a thousand resamples of the same records; a resample is a count per record
 * ({@code counts[i]} copies of record i), which gives exactly the metric of the expanded sample.
 *
 * <p>Semantics are scikit-learn's (1.2.1), checked against it on randomized cases in the tests;
 * see {@link ClassificationMetrics} for the conventions where scikit-learn raises instead.
 */
public final class Predictions {

  /** scikit-learn's {@code eps='auto'} for float64: probabilities are clipped to [EPS, 1 - EPS]. */
  static final double EPS = Math.ulp(1.0);

  private final int[] labels;
  private final double[][] probabilities;
  private final int classes;
  private final int[] predicted;
  private final double[] loss;
  /** Per class, record indices by ascending probability of that class (only the classes AUC uses). */
  private final int[][] order;

  private Predictions(int[] labels, double[][] probabilities, int classes) {
    this.labels = labels;
    this.probabilities = probabilities;
    this.classes = classes;
    int n = labels.length;
    this.predicted = new int[n];
    this.loss = new double[n];
    for (int i = 0; i < n; i++) {
      double[] p = probabilities[i];
      if (p.length != classes || labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("record " + i + ": label " + labels[i] + " and " + p.length + " probabilities for " + classes + " classes");
      }
      predicted[i] = argmax(p);
      loss[i] = logLoss(p, labels[i]);
    }
    this.order = new int[classes][];
    for (int c = classes == 2 ? 1 : 0; c < classes; c++) {
      final int cls = c;
      order[c] = java.util.stream.IntStream.range(0, n).boxed()
          .sorted((a, b) -> Double.compare(probabilities[a][cls], probabilities[b][cls])).mapToInt(Integer::intValue).toArray();
    }
  }

  public static Predictions of(int[] labels, double[][] probabilities, int classes) {
    if (labels.length != probabilities.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " rows of probabilities");
    }
    if (classes < 2) {
      throw new IllegalArgumentException("at least two classes, not " + classes);
    }
    return new Predictions(labels, probabilities, classes);
  }

  public int size() {
    return labels.length;
  }

  public int classes() {
    return classes;
  }

  /** Every metric with each record counted once. */
  public ClassificationMetrics metrics() {
    int[] ones = new int[labels.length];
    Arrays.fill(ones, 1);
    return metrics(ones);
  }

  /** Every metric, record i counted {@code counts[i]} times. */
  public ClassificationMetrics metrics(int[] counts) {
    Confusion m = confusion(counts);
    double[] precision = new double[classes];
    double[] recall = new double[classes];
    double[] f1 = new double[classes];
    for (int c = 0; c < classes; c++) {
      precision[c] = m.precision(c);
      recall[c] = m.recall(c);
      f1[c] = m.f1(c);
    }
    return new ClassificationMetrics(m.n, m.accuracy(), m.balancedAccuracy(), m.macro(precision), m.macro(recall), m.macro(f1), rocAuc(counts),
        logLoss(counts), precision, recall, f1, m.support.clone());
  }

  public double balancedAccuracy(int[] counts) {
    return confusion(counts).balancedAccuracy();
  }

  public double macroF1(int[] counts) {
    Confusion m = confusion(counts);
    double[] f1 = new double[classes];
    for (int c = 0; c < classes; c++) {
      f1[c] = m.f1(c);
    }
    return m.macro(f1);
  }

  /** Mean log loss; NaN without records. */
  public double logLoss(int[] counts) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < loss.length; i++) {
      sum += counts[i] * loss[i];
      n += counts[i];
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * Binary: AUC of P(class 1). More classes: one-vs-rest AUC macro-averaged over the classes that
   * can be scored (present among the counted records, beside records of another class). NaN if none can.
   */
  public double rocAuc(int[] counts) {
    if (classes == 2) {
      return auc(1, counts);
    }
    double sum = 0;
    int scored = 0;
    for (int c = 0; c < classes; c++) {
      double a = auc(c, counts);
      if (!Double.isNaN(a)) {
        sum += a;
        scored++;
      }
    }
    return scored == 0 ? Double.NaN : sum / scored;
  }

  /** Mann-Whitney: the chance a random positive outscores a random negative, ties counted as half. */
  private double auc(int positive, int[] counts) {
    int[] ord = order[positive];
    double u = 0;
    double negBelow = 0;
    double pos = 0;
    int i = 0;
    while (i < ord.length) {
      double score = probabilities[ord[i]][positive];
      double groupPos = 0;
      double groupNeg = 0;
      int j = i;
      while (j < ord.length && probabilities[ord[j]][positive] == score) {
        int r = ord[j];
        if (labels[r] == positive) {
          groupPos += counts[r];
        } else {
          groupNeg += counts[r];
        }
        j++;
      }
      u += groupPos * (negBelow + groupNeg / 2);
      negBelow += groupNeg;
      pos += groupPos;
      i = j;
    }
    return pos == 0 || negBelow == 0 ? Double.NaN : u / (pos * negBelow);
  }

  private Confusion confusion(int[] counts) {
    Confusion m = new Confusion(classes);
    for (int i = 0; i < labels.length; i++) {
      int w = counts[i];
      if (w == 0) {
        continue;
      }
      m.n += w;
      m.support[labels[i]] += w;
      m.predictedCount[predicted[i]] += w;
      if (predicted[i] == labels[i]) {
        m.tp[labels[i]] += w;
      }
    }
    return m;
  }

  /** Per-class counts: true positives, actual (support) and predicted. */
  private static final class Confusion {
    long n;
    final long[] tp;
    final long[] support;
    final long[] predictedCount;

    Confusion(int classes) {
      tp = new long[classes];
      support = new long[classes];
      predictedCount = new long[classes];
    }

    double accuracy() {
      long correct = Arrays.stream(tp).sum();
      return n == 0 ? Double.NaN : (double) correct / n;
    }

    double precision(int c) {
      return predictedCount[c] == 0 ? 0 : (double) tp[c] / predictedCount[c];
    }

    double recall(int c) {
      return support[c] == 0 ? 0 : (double) tp[c] / support[c];
    }

    double f1(int c) {
      double p = precision(c);
      double r = recall(c);
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** scikit-learn's balanced_accuracy_score: mean recall over the classes that occur among the true labels. */
    double balancedAccuracy() {
      double sum = 0;
      int present = 0;
      for (int c = 0; c < support.length; c++) {
        if (support[c] > 0) {
          sum += recall(c);
          present++;
        }
      }
      return present == 0 ? Double.NaN : sum / present;
    }

    /** scikit-learn's macro average: over the union of the classes that are true or predicted at least once. */
    double macro(double[] perClass) {
      double sum = 0;
      int counted = 0;
      for (int c = 0; c < perClass.length; c++) {
        if (support[c] > 0 || predictedCount[c] > 0) {
          sum += perClass[c];
          counted++;
        }
      }
      return counted == 0 ? Double.NaN : sum / counted;
    }
  }

  /** scikit-learn 1.2's log loss of one record: clip to [EPS, 1 - EPS], renormalize the row, -ln p(true class). */
  static double logLoss(double[] p, int label) {
    double sum = 0;
    for (double v : p) {
      sum += clip(v);
    }
    return -Math.log(clip(p[label]) / sum);
  }

  private static double clip(double v) {
    return Math.min(1 - EPS, Math.max(EPS, v));
  }

  /** The first class with the highest probability (numpy's argmax breaks ties the same way). */
  static int argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }
}
