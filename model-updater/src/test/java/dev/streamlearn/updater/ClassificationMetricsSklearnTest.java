package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.updater.metrics.ClassificationMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every metric against scikit-learn on randomized cases (2 to 7 classes, ties, hard 0/1 probabilities,
 * classes absent from the labels, a single record). The cases and scikit-learn's values were written by
 * src/test/python/make_metric_fixtures.py; its doc gives the conventions where scikit-learn raises.
 */
class ClassificationMetricsSklearnTest {

  private static final double TOLERANCE = 1e-9;

  static Stream<Named<JsonNode>> cases() throws IOException {
    try (InputStream in = ClassificationMetricsSklearnTest.class.getResourceAsStream("/metric-fixtures.json")) {
      JsonNode doc = new ObjectMapper().readTree(in);
      List<Named<JsonNode>> out = new ArrayList<>();
      JsonNode cases = doc.get("cases");
      for (int i = 0; i < cases.size(); i++) {
        JsonNode c = cases.get(i);
        out.add(Named.of("case " + i + ": " + c.get("classes").asInt() + " classes, n=" + c.get("labels").size(), c));
      }
      assertThat(out).as("fixture cases").hasSizeGreaterThanOrEqualTo(50);
      return out.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesScikitLearn(JsonNode c) {
    int classes = c.get("classes").asInt();
    int[] y = new int[c.get("labels").size()];
    double[][] p = new double[y.length][classes];
    for (int i = 0; i < y.length; i++) {
      y[i] = c.get("labels").get(i).asInt();
      for (int k = 0; k < classes; k++) {
        p[i][k] = c.get("probabilities").get(i).get(k).asDouble();
      }
    }
    JsonNode e = c.get("expected");
    ClassificationMetrics m = ClassificationMetrics.compute(y, p, classes);
    assertThat(m.accuracy()).as("accuracy").isCloseTo(e.get("accuracy").asDouble(), within(TOLERANCE));
    assertThat(m.balancedAccuracy()).as("balanced accuracy").isCloseTo(e.get("balanced_accuracy").asDouble(), within(TOLERANCE));
    assertThat(m.macroPrecision()).as("macro precision").isCloseTo(e.get("macro_precision").asDouble(), within(TOLERANCE));
    assertThat(m.macroRecall()).as("macro recall").isCloseTo(e.get("macro_recall").asDouble(), within(TOLERANCE));
    assertThat(m.macroF1()).as("macro F1").isCloseTo(e.get("macro_f1").asDouble(), within(TOLERANCE));
    assertThat(m.logLoss()).as("log loss").isCloseTo(e.get("log_loss").asDouble(), within(TOLERANCE));
    if (e.get("roc_auc").isNull()) {
      assertThat(m.rocAuc()).as("ROC AUC, undefined").isNaN();
    } else {
      assertThat(m.rocAuc()).as("ROC AUC").isCloseTo(e.get("roc_auc").asDouble(), within(TOLERANCE));
    }
    for (int k = 0; k < classes; k++) {
      assertThat(m.precision()[k]).as("precision of class " + k).isCloseTo(e.get("precision").get(k).asDouble(), within(TOLERANCE));
      assertThat(m.recall()[k]).as("recall of class " + k).isCloseTo(e.get("recall").get(k).asDouble(), within(TOLERANCE));
      assertThat(m.f1()[k]).as("F1 of class " + k).isCloseTo(e.get("f1").get(k).asDouble(), within(TOLERANCE));
    }
  }
}
