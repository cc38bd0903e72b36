package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class CommitAlignedStoreTest {

  /** An in-memory store whose puts are counted, wrapped as the topology wraps its stores. */
  private static final class Fixture {
    final AtomicInteger puts = new AtomicInteger();
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    final CommitAlignedStore<Long> store;

    Fixture() {
      KeyValueBytesStoreSupplier memory = org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("counters");
      KeyValueBytesStoreSupplier counting = new KeyValueBytesStoreSupplier() {
        @Override
        public String name() {
          return memory.name();
        }

        @Override
        public KeyValueStore<Bytes, byte[]> get() {
          return new org.apache.kafka.streams.state.internals.InMemoryKeyValueStore(memory.name()) {
            @Override
            public void put(Bytes key, byte[] value) {
              puts.incrementAndGet();
              super.put(key, value);
            }
          };
        }

        @Override
        public String metricsScope() {
          return memory.metricsScope();
        }
      };
      store = CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(counting, Serdes.String(), Serdes.Long())
          .withLoggingDisabled()).build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
  }

  @Test
  void countsReachTheStoreAtTheCommitOncePerChangedName() {
    Fixture f = new Fixture();
    Counters counters = new Counters(CommitAlignedStore.open(f.context, "counters"), "stage");
    for (int i = 0; i < 1000; i++) {
      counters.increment(i % 3 == 0 ? "a" : "b");
    }
    counters.set("gauge", 7);
    assertThat(f.store.kv().get("a")).as("before the commit").isNull();
    assertThat(f.puts).hasValue(0);

    f.store.flushCache();
    assertThat(f.store.kv().get("a")).isEqualTo(334L);
    assertThat(f.store.kv().get("b")).isEqualTo(666L);
    assertThat(f.store.kv().get("gauge")).isEqualTo(7L);
    assertThat(f.puts).as("one put per changed name").hasValue(3);

    counters.set("gauge", 7);
    counters.increment("b");
    f.store.flushCache();
    assertThat(f.puts).as("an unchanged gauge is not written again").hasValue(4);
    assertThat(f.store.kv().get("b")).isEqualTo(667L);
    f.store.flushCache();
    assertThat(f.puts).as("nothing changed").hasValue(4);
  }

  @Test
  void aNewProcessorContinuesFromTheCommittedCountsNotTheLostOnes() {
    Fixture f = new Fixture();
    Counters first = new Counters(f.store, "stage");
    first.add("n", 10);
    f.store.flushCache();
    first.add("n", 5); // the crash comes before the commit

    Counters second = new Counters(f.store, "stage");
    second.add("n", 1);
    f.store.flushCache();
    assertThat(f.store.kv().get("n")).as("the first processor's writer was replaced, not run").isEqualTo(11L);
  }

  @Test
  void reinitializingTheStoreDropsTheWritersOfThePreviousLife() {
    Fixture f = new Fixture();
    List<String> ran = new ArrayList<>();
    f.store.beforeCommit("old", () -> ran.add("old"));
    f.store.init(f.context.getStateStoreContext(), f.store);
    f.store.beforeCommit("new", () -> ran.add("new"));
    f.store.flushCache();
    assertThat(ran).containsExactly("new");
  }

  @Test
  void closingTheStoreDropsItsWriters() {
    Fixture f = new Fixture();
    List<String> ran = new ArrayList<>();
    f.store.beforeCommit("old", () -> ran.add("old"));
    f.store.close();
    f.store.flushCache();
    assertThat(ran).isEmpty();
  }

  /**
   * Pins the Kafka Streams internal this store relies on: a task's commit calls {@code flushCache} on the store
   * registered under the name (ours, not an inner layer) before it commits. The driver commits after every input.
   */
  @Test
  void aTaskCommitRunsTheWritersThroughKafkaStreamsOwnCommitPath() throws Exception {
    org.apache.kafka.streams.StreamsBuilder b = new org.apache.kafka.streams.StreamsBuilder();
    b.addStateStore(CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore("counts"), Serdes.String(), Serdes.Long()).withCachingEnabled()));
    b.stream("in", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
        .process(() -> new org.apache.kafka.streams.processor.api.Processor<String, String, Void, Void>() {
          private Counters counters;

          @Override
          public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
            counters = new Counters(CommitAlignedStore.open(context, "counts"), "stage");
          }

          @Override
          public void process(org.apache.kafka.streams.processor.api.Record<String, String> record) {
            counters.increment(record.value());
          }
        }, "counts");
    java.util.Properties p = new java.util.Properties();
    p.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "commit-aligned-test");
    p.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("commit-aligned").toString());
    try (org.apache.kafka.streams.TopologyTestDriver driver = new org.apache.kafka.streams.TopologyTestDriver(b.build(), p)) {
      var in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
      KeyValueStore<String, Long> counts = ((CommitAlignedStore<Long>) driver.getStateStore("counts")).kv();
      for (int i = 1; i <= 5; i++) {
        in.pipeInput("k", "seen");
        assertThat(counts.get("seen")).as("after input %d and its commit", i).isEqualTo((long) i);
      }
      assertThat(driver.producedTopicNames()).as("the store keeps its changelog").anyMatch(t -> t.endsWith("counts-changelog"));
    }
  }

  @Test
  void writePendingLetsAReaderSeeTheOpenTransaction() {
    Fixture f = new Fixture();
    Counters counters = new Counters(f.store, "stage");
    counters.increment("raw");
    f.store.writePending();
    assertThat(f.store.kv().get("raw")).isEqualTo(1L);
  }

  @Test
  void aPlainStoreIsRefusedNamingIt() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    KeyValueStore<String, Long> plain = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("plain"), Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
    plain.init(context.getStateStoreContext(), plain);
    context.addStateStore(plain);
    assertThatThrownBy(() -> CommitAlignedStore.open(context, "plain")).hasMessageContaining("plain").hasMessageContaining("CommitAlignedStore");
  }
}
