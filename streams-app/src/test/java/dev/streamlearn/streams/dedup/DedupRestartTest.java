package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * The only pass over the store since the filter grows by layers: a processor started over a filled store (after a
 * restore, a rebalance, a revival) builds its filter from the stored keys, and must then find every one of them.
 */
class DedupRestartTest {

  private static final long RETENTION = Duration.ofDays(1).toMillis();

  @Test
  void aProcessorStartedOverAFilledStoreFindsEveryStoredId() {
    MockProcessorContext<String, LabeledRecord> context = new MockProcessorContext<>();
    WindowStore<String, Long> store = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryWindowStore(Stores.DEDUP, Duration.ofMillis(RETENTION), Duration.ofMillis(RETENTION), false),
        Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
    CommitAlignedStore<Long> counters = CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.COUNTERS), Serdes.String(), Serdes.Long()).withLoggingDisabled()).build();
    store.init(context.getStateStoreContext(), store);
    counters.init(context.getStateStoreContext(), counters);
    context.addStateStore(store);
    context.addStateStore(counters);

    // An id with a lone surrogate as the cleaner hands it over in memory: the store keeps its UTF-8 bytes, "x?".
    List<String> ids = new ArrayList<>(List.of("x\uD800"));
    for (int i = 0; i < 200; i++) {
      ids.add("id-" + i);
    }
    long ts = 1_700_000_000_000L;
    DedupProcessor first = new DedupProcessor(RETENTION, 4); // tiny layers: many of them before the restart
    first.init(context);
    for (String id : ids) {
      first.process(record(id, ts++));
    }
    assertThat(context.forwarded()).hasSize(ids.size());
    context.resetForwards();

    DedupProcessor restarted = new DedupProcessor(RETENTION, 4);
    restarted.init(context); // its filter is built from the store's keys, read back as stored
    for (String id : ids) {
      restarted.process(record(id, ts++));
    }
    restarted.process(record("new", ts++));
    List<String> forwarded = context.forwarded().stream().map(f -> (String) f.record().key()).toList();
    assertThat(forwarded).containsExactly("new");
  }

  private static Record<String, LabeledRecord> record(String id, long ts) {
    return new Record<>(id, LabeledRecord.newBuilder().setId(id).setTs(ts).setLabel("a").setFeatures(Map.of()).build(), ts);
  }
}
