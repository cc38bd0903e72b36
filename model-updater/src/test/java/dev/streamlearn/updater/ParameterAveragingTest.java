package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** updater.average.decay: the served network is the moving average of the trained parameters, training goes on on the raw ones. */
class ParameterAveragingTest {

  private static final StreamlearnConfig C = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8", "updater.seed", "3"));

  private final double[][] x = new double[32][3];
  private final int[] y = new int[32];

  ParameterAveragingTest() {
    Random rnd = new Random(1);
    for (int i = 0; i < x.length; i++) {
      y[i] = rnd.nextInt(2);
      x[i] = new double[] {y[i] + rnd.nextGaussian() * 0.3, rnd.nextGaussian(), -y[i]};
    }
  }

  private static double[] params(dev.streamlearn.client.Network n) {
    return n.model().params().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
  }

  @Test
  void theServedParametersAreTheHandComputedMovingAverageOfTheTrainedOnes() {
    double decay = 0.8;
    Trainer t = new Trainer(ModelFactory.create(C, 3, 2), decay);
    List<double[]> raw = new ArrayList<>();
    raw.add(params(t.network()));
    for (int step = 0; step < 25; step++) {
      t.fit(x, y, null);
      raw.add(params(t.network()));
    }
    // By hand: a_0 = p_0; a_t = e_t a_{t-1} + (1 - e_t) p_t with e_t = min(decay, (1 + t) / (10 + t)).
    double[] avg = raw.get(0).clone();
    for (int s = 1; s < raw.size(); s++) {
      double e = Math.min(decay, (1.0 + s) / (10.0 + s));
      for (int i = 0; i < avg.length; i++) {
        avg[i] = e * avg[i] + (1 - e) * raw.get(s)[i];
      }
    }
    double[] served = params(t.served());
    for (int i = 0; i < avg.length; i++) {
      assertThat(served[i]).as("parameter %d", i).isCloseTo(avg[i], within(1e-5));
    }
    assertThat(served).as("the average lags the trained parameters").isNotEqualTo(raw.get(raw.size() - 1));
    assertThat(params(t.network())).isEqualTo(raw.get(raw.size() - 1));
  }

  @Test
  void aSnapshotCarriesTheAverageWithTheRawOptimizerStateAndPredictionsUseTheAverage() {
    Trainer t = new Trainer(ModelFactory.create(C, 3, 2), 0.9);
    for (int step = 0; step < 30; step++) {
      t.fit(x, y, null);
    }
    Trainer restored = new Trainer(Trainer.deserialize(t.serialize()));
    assertThat(params(restored.network())).isEqualTo(params(t.served()));
    assertThat(Arrays.deepEquals(restored.predict(x), t.predict(x))).as("predict scores with the average").isTrue();
    // The trained network's optimizer state came along: one step from the restored snapshot equals one step of the trained
    // network (Adam's moments included) moved onto the average.
    dev.streamlearn.client.Network expected = t.network().copy();
    expected.model().setParams(t.served().model().params());
    new Trainer(expected).fit(x, y, null);
    restored.fit(x, y, null);
    assertThat(params(restored.network())).isEqualTo(params(expected));
  }

  @Test
  void decayZeroServesAndWritesTheTrainedNetworkItself() {
    Trainer plain = new Trainer(ModelFactory.create(C, 3, 2));
    Trainer zero = new Trainer(ModelFactory.create(C, 3, 2), 0);
    for (int step = 0; step < 10; step++) {
      plain.fit(x, y, null);
      zero.fit(x, y, null);
    }
    assertThat(zero.served()).isSameAs(zero.network());
    assertThat(zero.serialize()).isEqualTo(plain.serialize());
  }

  @Test
  void aLearnerJudgesAndPromotesTheAveragedNetwork() {
    OnlineLearner l = new OnlineLearner(ModelFactory.create(C, 3, 2), null, OnlineLearner.Lineage.EMPTY, List.of("a", "b"),
        QualityGate.from(C), 32, 100, 0.95);
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < x.length; i++) {
        l.learnOne(x[i], y[i], 1.0, false);
      }
    }
    for (int i = 0; i < x.length; i++) {
      l.evalOne(x[i], y[i], 0, i);
    }
    l.judge(-1);
    l.promote();
    assertThat(l.served()).isNotSameAs(l.network());
    assertThat(params(l.served())).isNotEqualTo(params(l.network()));
    assertThat(Trainer.deserialize(l.serialize()).model().params()).isEqualTo(l.served().model().params());
  }
}
