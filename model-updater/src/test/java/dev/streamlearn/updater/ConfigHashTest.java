package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a snapshot records of its training settings can be recomputed from the snapshot itself: what 'models retrain' checks. */
class ConfigHashTest {

  @ParameterizedTest
  @ValueSource(strings = {"true", "false"})
  void aTrainedNetworkAndItsSnapshotHashAlike(String wide) {
    for (String decay : new String[] {"0", "0.999"}) {
      StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4", "updater.wide", wide, "updater.average.decay", decay));
      Trainer t = new Trainer(ModelFactory.create(c, 5, 3), c.getDouble(StreamlearnConfig.AVERAGE_DECAY));
      SplittableRandom rnd = new SplittableRandom(1);
      for (int b = 0; b < 20; b++) {
        double[][] x = new double[16][5];
        int[] y = new int[16];
        for (int i = 0; i < 16; i++) {
          y[i] = rnd.nextInt(3);
          for (int f = 0; f < 5; f++) {
            x[i][f] = rnd.nextGaussian() + (f == y[i] ? 1 : 0);
          }
        }
        t.fit(x, y, null);
      }
      assertThat(ModelUpdater.configHash(c, Trainer.deserialize(t.serialize())))
          .as("wide=%s decay=%s", wide, decay).isEqualTo(ModelUpdater.configHash(c, t.network()));
      // Another training setting is another hash.
      assertThat(ModelUpdater.configHash(c.with(Map.of("updater.learning.rate", "0.01")), t.network())).isNotEqualTo(ModelUpdater.configHash(c, t.network()));
    }
  }
}
