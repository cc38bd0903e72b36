package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** With dedup.key=content, ids may repeat: a class whose samples all share one id has no segment to interpolate on. */
class OversamplerRepeatedIdTest {

  @Test
  void aClassWhoseSamplesShareOneIdGetsNoSyntheticRecordsAndNothingThrows() {
    Oversampler o = new Oversampler(new ClassBalance(2, 1.0, 2, 10), 16, 3, 5, 1);
    for (int i = 0; i < 20; i++) {
      o.offer("big-" + i, 0, new double[] {i});
    }
    List<Oversampler.Synthetic> out = List.of();
    for (int i = 0; i < 5; i++) {
      out = o.offer("same", 1, new double[] {i}); // minority class, every record with the same id
    }
    assertThat(out).isEmpty();
    assertThat(o.balance().deficit(1)).as("the deficit stays owed, not counted as emitted").isPositive();

    List<Oversampler.Synthetic> after = o.offer("other", 1, new double[] {9});
    assertThat(after).as("a second id gives segments again").isNotEmpty()
        .allSatisfy(s -> assertThat(List.of(s.parentId(), s.neighbourId())).contains("other"));
  }
}
