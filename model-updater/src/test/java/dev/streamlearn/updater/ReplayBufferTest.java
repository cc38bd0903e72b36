package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  @Test
  void holdsAUniformSampleOfEverythingSeen() {
    ReplayBuffer b = new ReplayBuffer(500, 1);
    for (int i = 0; i < 100_000; i++) {
      b.add(new double[] {i}, i % 3, 1.0);
    }
    assertThat(b.size()).isEqualTo(500);
    double[] seenValues = Arrays.stream(b.sample(5_000).x()).mapToDouble(v -> v[0]).toArray();
    double mean = Arrays.stream(seenValues).average().orElseThrow();
    // Uniform over 0..99,999: mean 50,000; the reservoir's 500 records give a standard error of about 1,300.
    assertThat(mean).isBetween(45_000.0, 55_000.0);
    long early = Arrays.stream(seenValues).filter(v -> v < 10_000).count();
    assertThat(early).as("old records stay represented, not only recent ones").isBetween(250L, 750L);
  }

  @Test
  void replaysOnlyWhatWasAddedWithItsLabelAndWeight() {
    ReplayBuffer b = new ReplayBuffer(10, 7);
    b.add(new double[] {1, 2}, 1, 2.5);
    b.add(new double[] {3, 4}, 0, 1.0);
    ReplayBuffer.Batch batch = b.sample(64);
    assertThat(batch.x().length).isEqualTo(64);
    for (int i = 0; i < 64; i++) {
      if (batch.y()[i] == 1) {
        assertThat(batch.x()[i]).containsExactly(1, 2);
        assertThat(batch.weights()[i]).isEqualTo(2.5);
      } else {
        assertThat(batch.x()[i]).containsExactly(3, 4);
        assertThat(batch.weights()[i]).isEqualTo(1.0);
      }
    }
  }

  @Test
  void unweightedRecordsReplayWithoutWeights() {
    ReplayBuffer b = new ReplayBuffer(10, 7);
    b.add(new double[] {1}, 0, 1.0);
    assertThat(b.sample(8).weights()).isNull();
  }

  @Test
  void sameSeedSameReplay() {
    ReplayBuffer a = new ReplayBuffer(50, 3);
    ReplayBuffer c = new ReplayBuffer(50, 3);
    for (int i = 0; i < 1000; i++) {
      a.add(new double[] {i}, 0, 1.0);
      c.add(new double[] {i}, 0, 1.0);
    }
    assertThat(a.sample(20).x()).isDeepEqualTo(c.sample(20).x());
  }
}
