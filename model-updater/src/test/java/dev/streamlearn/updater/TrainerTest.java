package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {

  @Test
  void saveAndRestoreKeepsPredictionsAndAdamStateBitIdentical() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8"));
    Trainer a = new Trainer(ModelFactory.create(c, 3, 2));
    Random rnd = new Random(1);
    double[][] x = new double[64][3];
    int[] y = new int[64];
    for (int i = 0; i < 64; i++) {
      y[i] = rnd.nextInt(2);
      x[i] = new double[] {y[i] + rnd.nextGaussian() * 0.3, rnd.nextGaussian(), -y[i]};
    }
    for (int i = 0; i < 20; i++) {
      a.fit(x, y, null);
    }
    Trainer b = new Trainer(Trainer.deserialize(a.serialize()));
    assertThat(Arrays.deepEquals(a.predict(x), b.predict(x))).isTrue();
    // With the updater state saved, one more identical step keeps them identical (Adam's moments came along).
    a.fit(x, y, null);
    b.fit(x, y, null);
    assertThat(Arrays.deepEquals(a.predict(x), b.predict(x))).isTrue();
  }

  @Test
  void serializedBytesDoNotDependOnTheClock() throws Exception {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "4"));
    byte[] bytes = new Trainer(ModelFactory.create(c, 2, 2)).serialize();
    int entries = 0;
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(bytes))) {
      for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        assertThat(e.getTimeLocal()).as(e.getName()).isEqualTo(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
        entries++;
      }
    }
    assertThat(entries).as("configuration, coefficients and updater state").isGreaterThanOrEqualTo(3);
    assertThat(new Trainer(Trainer.deserialize(bytes)).network().model().params()).isEqualTo(ModelFactory.create(c, 2, 2).model().params());
  }

  @Test
  void identicallySeededNetworksTrainIdentically() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "8,4", "updater.seed", "9"));
    Trainer a = new Trainer(ModelFactory.create(c, 2, 3));
    Trainer b = new Trainer(ModelFactory.create(c, 2, 3));
    double[][] x = {{0, 1}, {1, 0}, {1, 1}};
    int[] y = {0, 1, 2};
    a.fit(x, y, null);
    b.fit(x, y, null);
    assertThat(Arrays.deepEquals(a.predict(x), b.predict(x))).isTrue();
  }

  @Test
  void aWeightedBatchOfOneRecordTrains() {
    for (String layers : new String[] {"", "8"}) {
      Trainer t = new Trainer(ModelFactory.create(dev.streamlearn.core.StreamlearnConfig.of(java.util.Map.of("updater.hidden.layers", layers)), 3, 2));
      double[][] before = t.predict(new double[][] {{1, 2, 3}});
      t.fit(new double[][] {{1, 2, 3}}, new int[] {1}, new double[] {10.0});
      assertThat(t.predict(new double[][] {{1, 2, 3}})[0][1]).as("layers '%s': learnt towards class 1", layers).isGreaterThan(before[0][1]);
    }
  }
}
