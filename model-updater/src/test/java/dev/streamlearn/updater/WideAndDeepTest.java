package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.client.Network;
import dev.streamlearn.client.NetworkRestorer;
import dev.streamlearn.core.StreamlearnConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** updater.wide: the inputs reach the output layer directly, beside the MLP (a ComputationGraph). */
class WideAndDeepTest {

  private static final StreamlearnConfig WIDE = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4", "updater.wide", "true"));

  private static double[][] x(int n, int d, long seed) {
    Random rnd = new Random(seed);
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = rnd.nextGaussian();
      }
    }
    return x;
  }

  private static int[] y(double[][] x, int classes) {
    // The largest of the first `classes` features: a target the linear (wide) part alone can learn.
    return Arrays.stream(x).mapToInt(r -> {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        best = r[c] > r[best] ? c : best;
      }
      return best;
    }).toArray();
  }

  @Test
  void isAGraphWithTheInputsBesideTheLastHiddenLayerAndSoftmaxRows() {
    Network net = ModelFactory.create(WIDE, 5, 3);
    assertThat(net.isGraph()).isTrue();
    assertThat(net.classes()).isEqualTo(3);
    // 5->8, 8->4, then (5 inputs + 4 hidden)->3: the output layer's weights on the inputs are the wide (linear) part.
    assertThat(net.numParams()).isEqualTo((5 * 8 + 8) + (8 * 4 + 4) + ((5 + 4) * 3 + 3));
    double[][] p = new Trainer(net).predict(x(7, 5, 1));
    assertThat(p).hasDimensions(7, 3);
    for (double[] row : p) {
      assertThat(Arrays.stream(row).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void withoutHiddenLayersOrWithoutWideItIsTheLayerStackAsBefore() {
    assertThat(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "", "updater.wide", "true")), 5, 3).isGraph()).isFalse();
    assertThat(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "8", "updater.wide", "false")), 5, 3).isGraph()).isFalse();
  }

  @Test
  void identicallySeededGraphsTrainIdentically() {
    Trainer a = new Trainer(ModelFactory.create(WIDE, 5, 3));
    Trainer b = new Trainer(ModelFactory.create(WIDE, 5, 3));
    double[][] x = x(64, 5, 2);
    int[] y = y(x, 3);
    double[] w = Arrays.stream(y).mapToDouble(c -> 1.0 + c).toArray();
    for (int i = 0; i < 5; i++) {
      a.fit(x, y, w);
      b.fit(x, y, w);
    }
    assertThat(Arrays.deepEquals(a.predict(x), b.predict(x))).isTrue();
  }

  @Test
  void learnsAndRoundTripsThroughTheSnapshotBytesWithItsAdamState() {
    Trainer a = new Trainer(ModelFactory.create(WIDE, 5, 3));
    double[][] x = x(256, 5, 3);
    int[] y = y(x, 3);
    double before = accuracy(a.predict(x), y);
    for (int i = 0; i < 200; i++) {
      a.fit(x, y, null);
    }
    assertThat(accuracy(a.predict(x), y)).as("learnt (from %s)", before).isGreaterThan(0.85);
    byte[] bytes = a.serialize();
    // The client's restore (serving: no optimizer state) and the updater's (training: with it) both give the graph back.
    Network served = NetworkRestorer.restore(bytes, false);
    assertThat(served.isGraph()).isTrue();
    assertThat(Arrays.deepEquals(new Trainer(served).predict(x), a.predict(x))).isTrue();
    Trainer b = new Trainer(Trainer.deserialize(bytes));
    a.fit(x, y, null);
    b.fit(x, y, null);
    assertThat(Arrays.deepEquals(a.predict(x), b.predict(x))).as("Adam's moments came along").isTrue();
  }

  @Test
  void aLayerStackStillRestoresAsOne() {
    Trainer stack = new Trainer(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "8", "updater.wide", "false")), 5, 3));
    Network restored = NetworkRestorer.restore(stack.serialize(), false);
    assertThat(restored.isGraph()).isFalse();
    double[][] x = x(10, 5, 4);
    assertThat(Arrays.deepEquals(new Trainer(restored).predict(x), stack.predict(x))).isTrue();
  }

  @Test
  void aWeightedBatchOfOneRecordTrains() {
    Trainer t = new Trainer(ModelFactory.create(WIDE, 3, 2));
    double[][] before = t.predict(new double[][] {{1, 2, 3}});
    t.fit(new double[][] {{1, 2, 3}}, new int[] {1}, new double[] {10.0});
    assertThat(t.predict(new double[][] {{1, 2, 3}})[0][1]).isGreaterThan(before[0][1]);
  }

  @Test
  void hiddenL2RegularizesTheHiddenLayersAndUpdaterL2TheOutputLayer() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4", "updater.wide", "true", "updater.l2", "0.001",
        "updater.hidden.l2", "0.01"));
    org.deeplearning4j.nn.graph.ComputationGraph g = (org.deeplearning4j.nn.graph.ComputationGraph) ModelFactory.create(c, 5, 3).model();
    assertThat(l2(g.getLayer("hidden0"))).isEqualTo(0.01);
    assertThat(l2(g.getLayer("hidden1"))).isEqualTo(0.01);
    assertThat(l2(g.getLayer(ModelFactory.OUTPUT))).isEqualTo(0.001);
    // Negative: updater.l2 everywhere, as before the setting existed.
    org.deeplearning4j.nn.graph.ComputationGraph plain = (org.deeplearning4j.nn.graph.ComputationGraph) ModelFactory.create(
        StreamlearnConfig.of(Map.of("updater.hidden.layers", "8", "updater.wide", "true", "updater.l2", "0.001", "updater.hidden.l2", "-1")), 5, 3).model();
    assertThat(l2(plain.getLayer("hidden0"))).isEqualTo(0.001);
  }

  private static double l2(org.deeplearning4j.nn.api.Layer layer) {
    return layer.conf().getLayer().getRegularizationByParam("W").stream()
        .filter(r -> r instanceof org.nd4j.linalg.learning.regularization.L2Regularization)
        .mapToDouble(r -> ((org.nd4j.linalg.learning.regularization.L2Regularization) r).getL2().valueAt(0, 0)).sum();
  }

  private static double accuracy(double[][] p, int[] y) {
    int right = 0;
    for (int i = 0; i < y.length; i++) {
      int best = 0;
      for (int c = 1; c < p[i].length; c++) {
        if (p[i][c] > p[i][best]) {
          best = c;
        }
      }
      right += best == y[i] ? 1 : 0;
    }
    return right / (double) y.length;
  }
}
