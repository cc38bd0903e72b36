package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.client.Network;
import dev.streamlearn.core.StreamlearnConfig;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Network#probabilities} splits one flat copy of the output into rows: it must give ND4J's own row-by-row reading. */
class NetworkProbabilitiesTest {

  private static double[][] x(int n, int d, Random rnd) {
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = rnd.nextGaussian() * 3;
      }
    }
    return x;
  }

  private static void matchesNd4jsOwnRows(Network net, int features, Random rnd) {
    // One row, a mini-batch and an eval window's size, with rows and columns that would be mixed up by a transposed read.
    for (int n : new int[] {1, 2, 7, 64, 2000}) {
      double[][] x = x(n, features, rnd);
      double[][] expected = net.output(Nd4j.createFromArray(x).castTo(DataType.FLOAT)).castTo(DataType.DOUBLE).toDoubleMatrix();
      assertThat(net.probabilities(x)).as("%d rows", n).isDeepEqualTo(expected);
    }
    assertThat(net.probabilities(new double[0][])).isEmpty();
  }

  @Test
  void aLayerStackGivesTheSameRowsAsNd4j() {
    Random rnd = new Random(11);
    matchesNd4jsOwnRows(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4")), 5, 3), 5, rnd);
    matchesNd4jsOwnRows(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "")), 3, 7), 3, rnd);
  }

  @Test
  void aWideAndDeepGraphGivesTheSameRowsAsNd4j() {
    Network graph = ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4", "updater.wide", "true")), 6, 4);
    assertThat(graph.isGraph()).isTrue();
    matchesNd4jsOwnRows(graph, 6, new Random(12));
  }
}
