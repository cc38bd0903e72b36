package dev.streamlearn.streams;

import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The state stores of one topology, built once so that every stage declares the stores it uses
 * through its supplier's {@code stores()} (as Kafka's own processors do) and a store two stages share
 * is the same {@link StoreBuilder} instance, which Kafka Streams then adds once and connects to both.
 */
final class StageStores {

  final StoreBuilder<CommitAlignedStore<Long>> cleanCounters = counterStore(Stores.CLEAN_COUNTERS);
  final StoreBuilder<CommitAlignedStore<Long>> counters = counterStore(Stores.COUNTERS);
  final StoreBuilder<WindowStore<String, Long>> dedup;
  final StoreBuilder<CommitAlignedStore<byte[]>> normalizer = bytesStore(Stores.NORMALIZER);
  // Not cached: held records are few, and each must reach the changelog with the offsets that consumed it.
  final StoreBuilder<KeyValueStore<String, byte[]>> normalizeWarmup = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
      org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.NORMALIZE_WARMUP), Serdes.String(), Serdes.ByteArray());
  final StoreBuilder<CommitAlignedStore<byte[]>> rebalance = bytesStore(Stores.REBALANCE);

  StageStores(Duration dedupRetention) {
    dedup = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.DEDUP, dedupRetention, dedupRetention, false),
        Serdes.String(), Serdes.Long());
  }

  /** A stage: its processors, and the stores they open by name. */
  static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> stage(Supplier<Processor<KIn, VIn, KOut, VOut>> processors,
      StoreBuilder<?>... stores) {
    Set<StoreBuilder<?>> owned = Set.of(stores);
    return new ProcessorSupplier<>() {
      @Override
      public Processor<KIn, VIn, KOut, VOut> get() {
        return processors.get();
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return owned;
      }
    };
  }

  // These stores change on every record but hold few keys: their writers keep the state in memory and
  // write it once per commit (CommitAlignedStore), so the changelog receives one record per changed key per
  // commit.
  private static StoreBuilder<CommitAlignedStore<Long>> counterStore(String name) {
    return CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Long()).withCachingEnabled());
  }

  private static StoreBuilder<CommitAlignedStore<byte[]>> bytesStore(String name) {
    return CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray()).withCachingEnabled());
  }
}
