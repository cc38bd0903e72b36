package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.streams.normalize.NormalizeProcessor;
import dev.streamlearn.streams.split.Splitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class NormalizeWarmupTest {

  private static TopologyFixture fixture(int warmup, long maxWaitMs) throws Exception {
    return new TopologyFixture(Map.of(StreamlearnConfig.NORMALIZE_WARMUP_RECORDS, String.valueOf(warmup),
        StreamlearnConfig.NORMALIZE_WARMUP_MAX_WAIT_MS, String.valueOf(maxWaitMs), StreamlearnConfig.REBALANCE_MODE, "none"),
        List.of("f0"), List.of("a", "b"));
  }

  @Test
  void recordsWaitUntilTheStatisticsAreWarmThenFlowInOrderNormalizedWithThem() throws Exception {
    try (TopologyFixture f = fixture(5, 60_000)) {
      double[] xs = {1, 2, 3, 4, 10};
      for (int i = 0; i < 4; i++) {
        f.send(TopologyFixture.json("r" + i, i % 2 == 0 ? "a" : "b", xs[i]));
      }
      assertThat(f.clean.readRecordsToList()).as("held while the statistics cover fewer than 5 records").isEmpty();

      f.send(TopologyFixture.json("r4", "a", xs[4]));
      List<ProcessedRecord> out = f.clean.readValuesToList();
      assertThat(out).extracting(ProcessedRecord::getId).containsExactly("r0", "r1", "r2", "r3", "r4");
      double mean = 4.0;
      double std = Math.sqrt((9 + 4 + 1 + 0 + 36) / 5.0);
      for (int i = 0; i < 5; i++) {
        assertThat(out.get(i).getStatsVersion()).isEqualTo(5);
        assertThat(out.get(i).getFeatures().get(0)).isCloseTo((xs[i] - mean) / std, within(1e-12));
        assertThat(out.get(i).getRaw()).containsExactly(xs[i]);
      }

      f.send(TopologyFixture.json("r5", "b", 4.0));
      assertThat(f.clean.readValuesToList()).as("warm: later records flow at once").extracting(ProcessedRecord::getStatsVersion).containsExactly(6L);
    }
  }

  @Test
  void aQuietPartitionBelowTheWarmupReleasesWhatItHoldsAfterTheMaximumWait() throws Exception {
    try (TopologyFixture f = fixture(1000, 2_000)) {
      f.send(TopologyFixture.json("q0", "a", 1));
      f.send(TopologyFixture.json("q1", "b", 3));
      f.driver.advanceWallClockTime(Duration.ofMillis(1_000));
      assertThat(f.clean.readRecordsToList()).as("not quiet for long enough yet").isEmpty();
      f.driver.advanceWallClockTime(Duration.ofMillis(1_500));
      List<ProcessedRecord> out = f.clean.readValuesToList();
      assertThat(out).extracting(ProcessedRecord::getId).containsExactly("q0", "q1");
      assertThat(out).extracting(r -> r.getFeatures().get(0)).containsExactly(-1.0, 1.0);
      assertThat(f.report().reconciles()).as("every record counted once released").isTrue();
    }
  }

  @Test
  void withoutWarmupTheFirstRecordIsNormalizedWithItselfAlone() throws Exception {
    try (TopologyFixture f = fixture(0, 0)) {
      f.send(TopologyFixture.json("s0", "a", 5));
      assertThat(f.clean.readValuesToList()).extracting(r -> r.getFeatures().get(0)).containsExactly(0.0);
    }
  }

  // ---- The reviewer's cases, through the topology.

  /** One record every 9 s (under a 10 s max wait) must flow: the wait counts from the oldest held record, not the newest. */
  @Test
  void aSlowTrickleFlowsOnceTheOldestHeldRecordHasWaitedTheMaximum() throws Exception {
    try (TopologyFixture f = fixture(200, 10_000)) {
      f.send(TopologyFixture.json("t0", "a", 0));
      f.driver.advanceWallClockTime(Duration.ofSeconds(9));
      f.send(TopologyFixture.json("t1", "b", 1));
      assertThat(f.clean.readRecordsToList()).as("t0 has waited 9 s of 10").isEmpty();
      f.driver.advanceWallClockTime(Duration.ofSeconds(2));
      assertThat(f.clean.readValuesToList()).as("t0 has waited 11 s").extracting(ProcessedRecord::getId).containsExactly("t0", "t1");
      for (int i = 2; i < 50; i++) {
        f.send(TopologyFixture.json("t" + i, i % 2 == 0 ? "a" : "b", i));
        f.driver.advanceWallClockTime(Duration.ofSeconds(9));
      }
      List<ProcessedRecord> out = f.clean.readValuesToList();
      assertThat(out).as("50 records over 450 s of wall clock: all but the newest have left").hasSizeGreaterThanOrEqualTo(46);
      assertThat(out).extracting(ProcessedRecord::getId).isSortedAccordingTo(java.util.Comparator.comparingInt(id -> Integer.parseInt(id.substring(1))));
    }
  }

  @Test
  void countsReconcileWhileARecordIsHeldAsHeld() throws Exception {
    try (TopologyFixture f = fixture(200, 10_000)) {
      f.send(TopologyFixture.json("h0", "a", 1));
      f.send(TopologyFixture.json("h0", "a", 1));
      PipelineReport r = f.report();
      assertThat(f.clean.readRecordsToList()).isEmpty();
      assertThat(r.held()).isEqualTo(1);
      assertThat(r.duplicates()).isEqualTo(1);
      assertThat(r.reconciles()).as("raw=%d clean=%d held=%d dup=%d dlq=%d", r.raw(), r.clean(), r.held(), r.duplicates(), r.dlqTotal()).isTrue();
      f.driver.advanceWallClockTime(Duration.ofSeconds(11));
      PipelineReport after = f.report();
      assertThat(after.held()).isZero();
      assertThat(after.clean()).isEqualTo(1);
      assertThat(after.reconciles()).as("raw=%d clean=%d held=%d dup=%d dlq=%d", after.raw(), after.clean(), after.held(), after.duplicates(), after.dlqTotal()).isTrue();
    }
  }

  /** A release by time only flushes: the partition stays cold and holds the next records until warm or until they too have waited. */
  @Test
  void aQuietReleaseDoesNotEndTheWarmup() throws Exception {
    try (TopologyFixture f = fixture(4, 2_000)) {
      f.send(TopologyFixture.json("q0", "a", 1));
      f.driver.advanceWallClockTime(Duration.ofSeconds(3));
      assertThat(f.clean.readValuesToList()).extracting(ProcessedRecord::getStatsVersion).containsExactly(1L);
      f.send(TopologyFixture.json("q1", "b", 3));
      assertThat(f.clean.readRecordsToList()).as("held again after the release by time").isEmpty();
      f.driver.advanceWallClockTime(Duration.ofSeconds(3));
      assertThat(f.clean.readValuesToList()).extracting(ProcessedRecord::getStatsVersion).containsExactly(2L);
      f.send(TopologyFixture.json("q2", "a", 2));
      f.send(TopologyFixture.json("q3", "b", 4));
      assertThat(f.clean.readValuesToList()).as("released when the statistics cover 4").extracting(ProcessedRecord::getId, ProcessedRecord::getStatsVersion)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("q2", 4L), org.assertj.core.groups.Tuple.tuple("q3", 4L));
      f.send(TopologyFixture.json("q4", "a", 5));
      assertThat(f.clean.readValuesToList()).as("warm now: flows at once").extracting(ProcessedRecord::getStatsVersion).containsExactly(5L);
    }
  }

  // ---- Restarts and settings changes, on the processor with the same stores.

  @Test
  void aRestartKeepsTheOldestRecordsArrivalTime() {
    Task first = new Task(List.of("a", "b"), 200, 10_000, 0);
    first.process("r0", "a", 1);
    first.ctx.setCurrentSystemTimeMs(5_000);
    first.process("r1", "b", 2);

    Task restarted = first.restart(List.of("a", "b"), 200, 9_000);
    restarted.punctuateAll(9_000);
    assertThat(restarted.forwardedIds()).as("r0 has waited 9 s of 10 across the restart").isEmpty();
    restarted.punctuateAll(10_000);
    assertThat(restarted.forwardedIds()).containsExactly("r0", "r1");
  }

  @Test
  void heldRecordsKeepTheirKeyTimestampAndHeaders() {
    Task t = new Task(List.of("a", "b"), 2, 10_000, 0);
    Headers h0 = new RecordHeaders().add("trace", "abc".getBytes(StandardCharsets.UTF_8)).add("empty", null);
    t.processor.process(new Record<>("k0", labeled("r0", "a", 1), 1234L, h0));
    t.processor.process(new Record<>(null, labeled("r1", "b", 2), 1235L));
    var out = t.ctx.forwarded();
    assertThat(out).hasSize(2);
    var r0 = out.get(0).record();
    assertThat(r0.key()).isEqualTo("k0");
    assertThat(r0.timestamp()).isEqualTo(1234L);
    assertThat(r0.headers().lastHeader("trace").value()).asString(StandardCharsets.UTF_8).isEqualTo("abc");
    assertThat(r0.headers().lastHeader("empty").value()).isNull();
    assertThat(out.get(1).record().key()).isNull();
    assertThat(out.get(1).record().headers().toArray()).isEmpty();
  }

  @Test
  void turningTheWarmupOffReleasesWhatWasHeldAtOnceOnThePunctuation() {
    Task first = new Task(List.of("a", "b"), 200, 10_000, 0);
    first.process("r0", "a", 1);
    first.process("r1", "b", 2);

    Task off = first.restart(List.of("a", "b"), 0, 0);
    assertThat(off.ctx.scheduledPunctuators()).as("one punctuation, due at once").singleElement()
        .satisfies(p -> assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(1)));
    off.punctuateAll(1);
    assertThat(off.forwardedIds()).containsExactly("r0", "r1");
    assertThat(off.ctx.scheduledPunctuators().get(0).cancelled()).isTrue();
    assertThat(off.counter("held")).isZero();
  }

  @Test
  void turningTheWarmupOffReleasesWhatWasHeldBeforeTheNextRecord() {
    Task first = new Task(List.of("a", "b"), 200, 10_000, 0);
    first.process("r0", "a", 1);
    first.process("r1", "b", 2);

    Task off = first.restart(List.of("a", "b"), 0, 0);
    off.process("r2", "a", 3);
    assertThat(off.forwardedIds()).containsExactly("r0", "r1", "r2");
    off.punctuateAll(1);
    assertThat(off.forwardedIds()).as("released once").containsExactly("r0", "r1", "r2");
  }

  @Test
  void aHeldRecordWhoseLabelLeftTheSpecIsDroppedAndCounted() {
    Task first = new Task(List.of("a", "b"), 200, 10_000, 0);
    first.process("r0", "b", 1);
    first.process("r1", "a", 2);
    assertThat(first.counter("held")).isEqualTo(2);

    Task narrowed = first.restart(List.of("a"), 200, 20_000);
    narrowed.punctuateAll(20_000);
    assertThat(narrowed.forwardedIds()).containsExactly("r1");
    assertThat(narrowed.counter("dropped")).isEqualTo(1);
    assertThat(narrowed.counter("held")).isZero();
    assertThat(narrowed.counter("clean")).isEqualTo(1);
  }

  /** The first layout (timestamp, key, value: no arrival time, no headers, not counted as held) still decodes, waiting from the restart. */
  @Test
  void recordsHeldInTheFirstLayoutAreReleasedAMaximumWaitAfterTheRestart() {
    Task first = new Task(List.of("a", "b"), 200, 10_000, 0);
    first.process("r0", "a", 1); // feeds the statistics as the first version did; its held entry is replaced below
    KeyValueStore<String, byte[]> held = (KeyValueStore<String, byte[]>) first.stores.get(Stores.NORMALIZE_WARMUP);
    byte[] key = "k0".getBytes(StandardCharsets.UTF_8);
    byte[] value = dev.streamlearn.schemas.Avro.LABELED.encode(labeled("r0", "a", 1));
    held.put("held.000000000000", java.nio.ByteBuffer.allocate(12 + key.length + value.length).putLong(777L).putInt(key.length).put(key).put(value).array());
    first.counters().delete("held");

    Task restarted = first.restart(List.of("a", "b"), 200, 50_000);
    restarted.punctuateAll(59_000);
    assertThat(restarted.forwardedIds()).as("assumed to have arrived at the restart").isEmpty();
    restarted.punctuateAll(60_000);
    assertThat(restarted.ctx.forwarded()).singleElement().satisfies(f -> {
      assertThat(f.record().key()).isEqualTo("k0");
      assertThat(f.record().timestamp()).isEqualTo(777L);
    });
    assertThat(restarted.counter("held")).as("it was never counted as held").isZero();
  }

  private static LabeledRecord labeled(String id, String label, double x) {
    return LabeledRecord.newBuilder().setId(id).setTs(0).setLabel(label).setFeatures(Map.of("f0", x)).build();
  }

  /** A normalize task on in-memory stores; {@link #restart} builds a new processor over the same stores, as after a restart. */
  private static final class Task {
    final MockProcessorContext<String, ProcessedRecord> ctx = new MockProcessorContext<>();
    final Map<String, StateStore> stores;
    final NormalizeProcessor processor;

    Task(List<String> labels, int records, long maxWaitMs, long nowMs) {
      this(labels, records, maxWaitMs, nowMs, null);
    }

    private Task(List<String> labels, int records, long maxWaitMs, long nowMs, Map<String, StateStore> existing) {
      ctx.setCurrentSystemTimeMs(nowMs);
      stores = existing != null ? existing : Map.of(
          Stores.NORMALIZER, CommitAlignedStore.builder(bytes(Stores.NORMALIZER)).build(), Stores.NORMALIZE_WARMUP, bytes(Stores.NORMALIZE_WARMUP).build(),
          Stores.COUNTERS, CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
              org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.COUNTERS), Serdes.String(), Serdes.Long()).withLoggingDisabled()).build());
      for (StateStore s : stores.values()) {
        if (existing == null) {
          s.init(ctx.getStateStoreContext(), s);
        }
        ctx.addStateStore(s);
      }
      StreamlearnConfig c = StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092"));
      DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(List.of("f0")).setLabels(labels).setMissing(c.getString(StreamlearnConfig.MISSING_POLICY))
          .setExtra(c.getString(StreamlearnConfig.EXTRA_POLICY)).setClipK(c.getDouble(StreamlearnConfig.CLIP_K)).build();
      processor = new NormalizeProcessor(spec, Scaler.method(c.getString(StreamlearnConfig.NORMALIZE_METHOD)), spec.getClipK(), new Splitter(0.1),
          new NormalizeProcessor.Warmup(records, Duration.ofMillis(maxWaitMs)));
      processor.init(ctx);
    }

    private static org.apache.kafka.streams.state.StoreBuilder<KeyValueStore<String, byte[]>> bytes(String name) {
      return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(name),
          Serdes.String(), Serdes.ByteArray()).withLoggingDisabled();
    }

    /** The task commits, and a new processor opens the same stores. */
    Task restart(List<String> labels, int records, long nowMs) {
      commit();
      return new Task(labels, records, 10_000, nowMs, stores);
    }

    void commit() {
      stores.values().stream().filter(s -> s instanceof CommitAlignedStore<?>).forEach(s -> ((CommitAlignedStore<?>) s).flushCache());
    }

    KeyValueStore<String, Long> counters() {
      commit();
      return ((CommitAlignedStore<Long>) stores.get(Stores.COUNTERS)).kv();
    }

    void process(String id, String label, double x) {
      processor.process(new Record<>(id, labeled(id, label, x), 0L));
    }

    void punctuateAll(long nowMs) {
      ctx.setCurrentSystemTimeMs(nowMs);
      ctx.scheduledPunctuators().stream().filter(p -> !p.cancelled()).forEach(p -> p.getPunctuator().punctuate(nowMs));
    }

    List<String> forwardedIds() {
      return ctx.forwarded().stream().map(f -> ((ProcessedRecord) f.record().value()).getId()).toList();
    }

    long counter(String name) {
      Long v = counters().get(name);
      return v == null ? 0 : v;
    }
  }
}
