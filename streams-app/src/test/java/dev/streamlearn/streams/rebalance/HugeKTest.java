package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rebalance.k at its limit: the configuration accepts any k of at least 1. */
class HugeKTest {

  @Test
  void aHugeKNeedsThatManyRecordsAndDoesNotOverflow() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("rebalance.k", Integer.toString(Integer.MAX_VALUE)));
    // k + 1 in int arithmetic wrapped to Integer.MIN_VALUE, and the minimum fell back to rebalance.min.class.records (10).
    assertThat(ClassBalance.minClassRecords(c)).isEqualTo(Integer.MAX_VALUE + 1L);
  }

  @Test
  void aSearchForMoreNeighboursThanTheRingHoldsAnswersTheWholeRingWithoutAllocatingK() {
    Reservoir r = new Reservoir(8);
    for (int i = 0; i < 8; i++) {
      r.add(new Reservoir.Sample("s" + i, new double[] {i, 0}));
    }
    // Arrays of k entries would need 16 GB here: the search is capped at the ring's size.
    List<Reservoir.Sample> all = r.nearest(new double[] {0, 0}, "s0", Integer.MAX_VALUE);
    assertThat(all).extracting(Reservoir.Sample::id).containsExactly("s1", "s2", "s3", "s4", "s5", "s6", "s7");
    assertThat(r.nearest(0, Integer.MAX_VALUE)).extracting(Reservoir.Sample::id).containsExactly("s1", "s2", "s3", "s4", "s5", "s6", "s7");

    Oversampler o = new Oversampler(new ClassBalance(2, 1.0, 2, 10), 8, Integer.MAX_VALUE, 5, 1L);
    for (int i = 0; i < 20; i++) {
      o.offer("a" + i, 0, new double[] {i, 1});
    }
    assertThat(o.offer("b0", 1, new double[] {0, 0})).isEmpty(); // one sample of class 1: nothing to interpolate
    assertThat(o.offer("b1", 1, new double[] {1, 0})).isNotEmpty().allSatisfy(s -> assertThat(s.label()).isEqualTo(1));
  }
}
