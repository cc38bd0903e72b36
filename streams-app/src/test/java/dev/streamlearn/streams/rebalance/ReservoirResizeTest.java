package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.streams.CommitAlignedStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The rebalance state written under one {@code rebalance.reservoir.size} and restored under another: each ring holds
 * the newest samples it has room for, in their order, and takes the next sample where a ring that size would. Before,
 * a shrink failed the restore (a slot past the ring's end) and a grow failed the first synthetic record (a slot the
 * ring claimed but never held).
 */
class ReservoirResizeTest {

  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
  private final CommitAlignedStore<byte[]> store;

  ReservoirResizeTest() {
    store = CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("rebalance"), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled()).build();
    store.init(context.getStateStoreContext(), store);
  }

  private static Oversampler sampler(int capacity) {
    return new Oversampler(new ClassBalance(2, 1.0, 1_000_000, 1.0), capacity, 2, 5, 7L); // min class records so high that nothing is made
  }

  /** Offers {@code n} samples to class 0 (ids s0, s1, ...) and commits. */
  private List<String> offer(Oversampler sampler, RebalanceState state, int from, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      sampler.offer("s" + i, 0, new double[] {i, -i});
      state.sampleTaken(0);
      state.countsChanged();
      ids.add("s" + i);
    }
    store.flushCache();
    return ids;
  }

  /** The ring's ids, oldest first. */
  private static List<String> byAge(Reservoir r) {
    List<String> ids = new ArrayList<>();
    long seen = r.seen();
    int first = seen > r.capacity() ? (int) (seen % r.capacity()) : 0;
    for (int i = 0; i < r.size(); i++) {
      ids.add(r.get((first + i) % r.capacity()).id());
    }
    return ids;
  }

  private static List<String> newest(List<String> ids, int n) {
    return ids.subList(Math.max(0, ids.size() - n), ids.size());
  }

  @Test
  void aRingRestoredUnderAnotherSizeHoldsTheNewestSamplesInOrder() {
    int[][] cases = {{8, 3, 20}, {8, 3, 5}, {8, 3, 2}, {8, 16, 20}, {8, 16, 5}, {5, 5, 13}, {3, 8, 7}, {16, 2, 17}};
    for (int[] c : cases) {
      int before = c[0];
      int after = c[1];
      int n = c[2];
      store.kv().all().forEachRemaining(kv -> store.kv().delete(kv.key));
      Oversampler first = sampler(before);
      List<String> ids = offer(first, new RebalanceState(store, first), 0, n);
      String what = before + " -> " + after + " slots after " + n + " samples";

      Oversampler second = sampler(after);
      RebalanceState restored = new RebalanceState(store, second);
      restored.restore();
      assertThat(byAge(second.reservoir(0))).as(what).containsExactlyElementsOf(newest(ids, Math.min(Math.min(n, before), after)));
      assertThat(second.balance().real(0)).as(what + ": the class counts are not the ring's").isEqualTo(n);

      // Written back at the next commit (the slots past the new end gone), it restores alike, and the ring goes on.
      List<String> more = offer(second, restored, n, 4);
      Oversampler third = sampler(after);
      new RebalanceState(store, third).restore();
      List<String> all = new ArrayList<>(newest(ids, Math.min(Math.min(n, before), after)));
      all.addAll(more);
      assertThat(byAge(third.reservoir(0))).as(what + ", 4 more, restored again").containsExactlyElementsOf(newest(all, after));
      List<String> keys = new ArrayList<>();
      store.kv().all().forEachRemaining(kv -> keys.add(kv.key));
      assertThat(keys).as(what + ": no slot past the ring's end is kept").filteredOn(k -> k.startsWith("slot."))
          .allSatisfy(k -> assertThat(Integer.parseInt(k.split("\\.")[2])).isLessThan(after));
    }
  }
}
