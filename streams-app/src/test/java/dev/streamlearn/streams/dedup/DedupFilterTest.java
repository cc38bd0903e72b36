package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Stores;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/** The dedup stage with its filter forced to grow by many layers, and to drop them as the store forgets. */
class DedupFilterTest {

  private static final long RETENTION = Duration.ofDays(1).toMillis();

  /**
   * Whatever the order of ids and however small the filter starts (so that it grows a layer after every
   * few puts), each id passes exactly once: its first arrival.
   */
  @Property(tries = 40)
  void eachIdPassesOnceThroughEveryLayer(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 120) Integer> ids,
      @ForAll @IntRange(min = 1, max = 8) int minCapacity) throws Exception {
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(minCapacity, true, k -> k), props())) {
      var in = driver.createInputTopic("in", Serdes.String().serializer(), Avro.LABELED.serializer());
      var out = driver.createOutputTopic("out", Serdes.String().deserializer(), Avro.LABELED.deserializer());
      long ts = 1_700_000_000_000L;
      for (int id : ids) {
        in.pipeInput("id-" + id, LabeledRecord.newBuilder().setId("id-" + id).setTs(ts++).setLabel("a").setFeatures(Map.of()).build());
      }
      Set<String> firsts = new LinkedHashSet<>();
      ids.forEach(i -> firsts.add("id-" + i));
      assertThat(out.readKeyValuesToList().stream().map(kv -> kv.key).toList()).containsExactlyElementsOf(firsts);
    }
  }

  /**
   * Event time that jumps by up to three windows at a time, and now and then goes back a third of a window (late
   * records): the store drops whole segments, the filter cuts and drops whole layers. A filter of many small layers,
   * cut by time and dropped, must pass exactly the records that one filter too large to fill, never cut or dropped,
   * passes (the store decides alone): no duplicate let through because a layer went before the store forgot its keys.
   */
  @Property(tries = 60)
  void manySmallLayersPassWhatOneLargeFilterPasses(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 60) Integer> ids,
      @ForAll @Size(min = 300, max = 300) List<@IntRange(min = 0, max = 40) Integer> jumps, @ForAll @IntRange(min = 1, max = 8) int minCapacity)
      throws Exception {
    assertThat(passed(ids, jumps, minCapacity, true)).containsExactlyElementsOf(passed(ids, jumps, 1 << 20, false));
  }

  private static List<String> passed(List<Integer> ids, List<Integer> jumps, long minCapacity, boolean forgetting) throws Exception {
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(minCapacity, forgetting, k -> k), props())) {
      var in = driver.createInputTopic("in", Serdes.String().serializer(), Avro.LABELED.serializer());
      var out = driver.createOutputTopic("out", Serdes.String().deserializer(), Avro.LABELED.deserializer());
      long ts = 1_700_000_000_000L;
      for (int i = 0; i < ids.size(); i++) {
        int jump = jumps.get(i);
        // Mostly small steps; now and then back a third of a window (late), a tenth of a window ahead, or one to three
        // windows at once (segments expire).
        ts += jump < 27 ? jump : jump < 30 ? -RETENTION / 3 : jump < 37 ? RETENTION / 10 : (jump - 36) * RETENTION;
        String id = "id-" + ids.get(i);
        in.pipeInput(id, LabeledRecord.newBuilder().setId(id).setTs(ts).setLabel("a").setFeatures(Map.of()).build(), ts);
      }
      List<String> keys = new java.util.ArrayList<>();
      out.readRecordsToList().forEach(r -> keys.add(r.key() + "@" + r.value().getTs()));
      return keys;
    }
  }

  /**
   * The key of a record already on its partition reaches dedup as the Java string the cleaner made, never
   * serialized; the store keeps its UTF-8 bytes, where an unpaired surrogate (a JSON escape such as \ud800) is '?'.
   * Across the filter's layers (one key each here), a resent copy must still be found.
   */
  @org.junit.jupiter.api.Test
  void anIdWithALoneSurrogateIsStillADuplicateInALaterLayer() throws Exception {
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(1, true, k -> k.replace("#", "\uD800")), props())) {
      var in = driver.createInputTopic("in", Serdes.String().serializer(), Avro.LABELED.serializer());
      var out = driver.createOutputTopic("out", Serdes.String().deserializer(), Avro.LABELED.deserializer());
      long ts = 1_700_000_000_000L;
      for (String id : List.of("x#", "y", "x#", "z", "x#")) {
        in.pipeInput(id, LabeledRecord.newBuilder().setId(id).setTs(ts++).setLabel("a").setFeatures(Map.of()).build());
      }
      assertThat(out.readKeyValuesToList().stream().map(kv -> kv.key).toList()).containsExactly("x?", "y", "z");
    }
  }

  private static Topology topology(long minCapacity, boolean forgetting, java.util.function.UnaryOperator<String> keyInMemory) {
    StoreBuilder<?> dedup = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.DEDUP, Duration.ofMillis(RETENTION), Duration.ofMillis(RETENTION), false),
        Serdes.String(), Serdes.Long());
    StoreBuilder<?> counters = CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.COUNTERS), Serdes.String(), Serdes.Long()));
    ProcessorSupplier<String, LabeledRecord, String, LabeledRecord> supplier = () -> new DedupProcessor(RETENTION, minCapacity, forgetting);
    Topology t = new Topology();
    t.addSource("in", Serdes.String().deserializer(), Avro.LABELED.deserializer(), "in");
    ProcessorSupplier<String, LabeledRecord, String, LabeledRecord> rekey = () -> new org.apache.kafka.streams.processor.api.ContextualProcessor<>() {
      @Override
      public void process(org.apache.kafka.streams.processor.api.Record<String, LabeledRecord> r) {
        context().forward(r.withKey(keyInMemory.apply(r.key())));
      }
    };
    t.addProcessor("key-in-memory", rekey, "in");
    t.addProcessor("dedup", supplier, "key-in-memory");
    t.addStateStore(dedup, "dedup");
    t.addStateStore(counters, "dedup");
    t.addSink("out", "out", Serdes.String().serializer(), Avro.LABELED.serializer(), "dedup");
    return t;
  }

  private static Properties props() throws java.io.IOException {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-filter-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("dedup-filter").toString());
    return p;
  }
}
