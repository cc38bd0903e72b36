package dev.streamlearn.updater.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification quality from true labels and predicted class probabilities, with scikit-learn's
 * (1.2.1) semantics: accuracy, balanced accuracy, precision, recall and F1 per class and
 * macro-averaged, ROC AUC (binary, or macro one-vs-rest with more classes) and log loss. Computed
 * here rather than with DL4J's Evaluation because the gate needs the same metrics on bootstrap
 * resamples (see {@link Predictions}), and because these exact definitions are checked against
 * scikit-learn on randomized cases (src/test/python/make_metric_fixtures.py writes them).
 *
 * <ul>
 *   <li>The predicted class is the first one with the highest probability (numpy's argmax).
 *   <li>Macro precision, recall and F1 average over the union of the classes that are true or
 *       predicted at least once; a class with no predictions has precision 0 and one with no true
 *       records recall 0 (scikit-learn's {@code zero_division=0}). A class predicted but absent from
 *       the labels therefore counts with F1 0: y = [0,0,1,1], predicted [0,2,1,1] gives 0.556.
 *   <li>Balanced accuracy is the mean recall over the classes present among the true labels.
 *   <li>ROC AUC counts ties as half. scikit-learn raises when a class is absent from the labels;
 *       here that class's one-vs-rest AUC is left out and the others are averaged (with every class
 *       present, this is {@code roc_auc_score(multi_class='ovr', average='macro')}); NaN when no class
 *       can be scored, e.g. with one class only. Two classes: the binary AUC of P(class 1).
 *   <li>Log loss clips probabilities to [2.2e-16, 1 - 2.2e-16] (float64 epsilon, 1.2's
 *       {@code eps='auto'}) and renormalizes each row before taking the log.
 *   <li>Per-class arrays cover every class; a class neither true nor predicted has 0 everywhere.
 * </ul>
 */
public record ClassificationMetrics(long n, double accuracy, double balancedAccuracy, double macroPrecision, double macroRecall, double macroF1,
    double rocAuc, double logLoss, double[] precision, double[] recall, double[] f1, long[] support) {

  public static ClassificationMetrics compute(int[] labels, double[][] probabilities, int classes) {
    return Predictions.of(labels, probabilities, classes).metrics();
  }

  /** Flat map for the snapshot: accuracy, balanced_accuracy, macro_*, roc_auc, log_loss, and f1.LABEL / precision.LABEL / recall.LABEL. */
  public Map<String, Double> toMap(List<String> labelNames) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("n", (double) n);
    m.putAll(headline(""));
    for (int c = 0; c < f1.length; c++) {
      String l = labelNames.get(c);
      m.put("precision." + l, precision[c]);
      m.put("recall." + l, recall[c]);
      m.put("f1." + l, f1[c]);
    }
    return m;
  }

  /** The summary metrics, keys prefixed (e.g. "current_" for the serving version's on the same records). */
  public Map<String, Double> headline(String prefix) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(prefix + "accuracy", accuracy);
    m.put(prefix + "balanced_accuracy", balancedAccuracy);
    m.put(prefix + "macro_precision", macroPrecision);
    m.put(prefix + "macro_recall", macroRecall);
    m.put(prefix + "macro_f1", macroF1);
    m.put(prefix + "roc_auc", rocAuc);
    m.put(prefix + "log_loss", logLoss);
    return m;
  }
}
