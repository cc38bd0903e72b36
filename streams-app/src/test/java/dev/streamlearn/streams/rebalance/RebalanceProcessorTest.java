package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.TrainingRecords;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Stores;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The rebalancing stage alone, in each mode, on a {@link TopologyTestDriver}; and its state restore. */
class RebalanceProcessorTest {

  private static final List<String> LABELS = List.of("legit", "review", "fraud");
  private static final int LEGIT = 0;
  private static final int REVIEW = 1;
  private static final int FRAUD = 2;

  /** The rebalance processor between an input and an output topic, with the topology's stores. */
  private static final class Stage implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, ProcessedRecord> in;
    final TestOutputTopic<String, ProcessedRecord> out;
    final KeyValueStore<String, Long> counters;
    private final Random rnd = new Random(3);

    Stage(String mode, Map<String, String> overrides) throws Exception {
      Map<String, String> m = new HashMap<>(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092", StreamlearnConfig.REBALANCE_MODE, mode));
      m.putAll(overrides);
      StreamlearnConfig c = StreamlearnConfig.of(m);
      RebalanceProcessor.Mode parsed = RebalanceProcessor.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT));
      StreamsBuilder b = new StreamsBuilder();
      b.addStateStore(CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
          org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.REBALANCE), Serdes.String(), Serdes.ByteArray()).withCachingEnabled()));
      b.addStateStore(CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
          org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.COUNTERS), Serdes.String(), Serdes.Long()).withCachingEnabled()));
      b.stream("in", Consumed.with(Serdes.String(), Avro.PROCESSED))
          .process(() -> new RebalanceProcessor(parsed, LABELS, () -> Oversampler.configured(c, LABELS.size()),
              c.getLong(StreamlearnConfig.REBALANCE_SETTLE_IDLE_MS)), Stores.REBALANCE, Stores.COUNTERS)
          .to("out", Produced.with(Serdes.String(), Avro.PROCESSED));
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "rebalance-test");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("rebalance-ttd").toString());
      driver = new TopologyTestDriver(b.build(), p);
      in = driver.createInputTopic("in", Serdes.String().serializer(), Avro.PROCESSED.serializer());
      out = driver.createOutputTopic("out", Serdes.String().deserializer(), Avro.PROCESSED.deserializer());
      // The driver commits after every input record, so the store holds every count written so far.
      counters = ((CommitAlignedStore<Long>) driver.getStateStore(Stores.COUNTERS)).kv();
    }

    /** The output, unpacked: each record followed by the synthetic records it carries. */
    List<ProcessedRecord> read() {
      return out.readValuesToList().stream().flatMap(r -> TrainingRecords.unpack(r).stream()).toList();
    }

    void send(String id, int label) {
      ProcessedRecord r = record(id, label, rnd);
      in.pipeInput(id, r);
    }

    void send(String id, int label, int features) {
      List<Double> x = new ArrayList<>(features);
      x.add(label + rnd.nextGaussian());
      while (x.size() < features) {
        x.add(rnd.nextGaussian());
      }
      in.pipeInput(id, ProcessedRecord.newBuilder(record(id, label, rnd)).setFeatures(x).build());
    }

    /** The partition has been idle for longer than rebalance.settle.idle.ms. */
    void pause() {
      driver.advanceWallClockTime(java.time.Duration.ofSeconds(6));
    }

    long counter(String name) {
      Long v = counters.get(name);
      return v == null ? 0 : v;
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  static ProcessedRecord record(String id, int label, Random rnd) {
    return ProcessedRecord.newBuilder().setId(id).setTs(0).setLabel(LABELS.get(label)).setLabelIndex(label)
        .setFeatures(List.of(label + rnd.nextGaussian(), rnd.nextGaussian())).setSplit(Split.TRAIN).setStatsVersion(1).build();
  }

  /** The labels of n records of each class, in a seeded random order. */
  static List<Integer> shuffled(int legit, int review, int fraud, long seed) {
    List<Integer> labels = new ArrayList<>();
    labels.addAll(Collections.nCopies(legit, LEGIT));
    labels.addAll(Collections.nCopies(review, REVIEW));
    labels.addAll(Collections.nCopies(fraud, FRAUD));
    Collections.shuffle(labels, new Random(seed));
    return labels;
  }

  static Map<String, Long> perLabel(List<ProcessedRecord> records) {
    return records.stream().collect(Collectors.groupingBy(ProcessedRecord::getLabel, Collectors.counting()));
  }

  @Test
  void smoteTopsEveryMinorityUpToTheLargestRealClassWhichStaysTheLargest() throws Exception {
    // The quickstart's shape (80/14/6): the largest real class used to end the smallest on records.train.
    try (Stage s = new Stage("smote", Map.of())) {
      List<Integer> labels = shuffled(2400, 420, 180, 1);
      for (int i = 0; i < labels.size(); i++) {
        s.send("r" + i, labels.get(i));
      }
      List<ProcessedRecord> out = new ArrayList<>(s.read());
      // While records flow, each minority is kept within the noise margin of its target: 5 x sqrt(2400) = 245 below it.
      Map<String, Long> flowing = perLabel(out);
      assertThat(flowing.get("review")).isBetween(2400L - 245, 2400L);
      assertThat(flowing.get("fraud")).isBetween(2400L - 245, 2400L);
      assertThat(s.counter("rebalance_owed")).isEqualTo(2 * 2400 - flowing.get("review") - flowing.get("fraud"));
      s.pause();
      out.addAll(s.read());
      // At rest: legit gets nothing, each minority is exactly on the target.
      Map<String, Long> perLabel = perLabel(out);
      assertThat(perLabel.get("legit")).isEqualTo(2400);
      assertThat(perLabel.get("review")).isEqualTo(2400L);
      assertThat(perLabel.get("fraud")).isEqualTo(2400L);
      assertThat(s.counter("rebalance_owed")).isZero();
      assertThat(s.counter("train_target.review")).isEqualTo(2400);
      assertThat(out.stream().filter(r -> r.getId().startsWith("t0_0#settle"))).as("settling records, named after the task").isNotEmpty();
      s.pause();
      assertThat(s.out.isEmpty()).as("a settled partition owes nothing more").isTrue();
      List<ProcessedRecord> synthetic = out.stream().filter(ProcessedRecord::getSynthetic).toList();
      assertThat(synthetic).hasSize((int) (perLabel.get("review") + perLabel.get("fraud") - 420 - 180)).noneMatch(r -> r.getLabel().equals("legit"));
      Map<String, String> labelOf = out.stream().filter(r -> !r.getSynthetic()).collect(Collectors.toMap(ProcessedRecord::getId, ProcessedRecord::getLabel));
      assertThat(synthetic).allSatisfy(r -> assertThat(r.getParents()).hasSize(2).allSatisfy(p -> assertThat(labelOf.get(p)).isEqualTo(r.getLabel())));
      assertThat(s.counter("synthetic")).isEqualTo(synthetic.size());
      assertThat(s.counter("train_real.review")).isEqualTo(420);
      assertThat(s.counter("train_class.review")).isEqualTo(perLabel.get("review"));
    }
  }

  @Test
  void whileRecordsFlowEachRealRecordCarriesTheSyntheticRecordsItTriggered() throws Exception {
    try (Stage s = new Stage("smote", Map.of())) {
      List<Integer> labels = shuffled(800, 140, 60, 11);
      for (int i = 0; i < labels.size(); i++) {
        s.send("r" + i, labels.get(i));
      }
      List<ProcessedRecord> onTopic = s.out.readValuesToList();
      assertThat(onTopic).as("one record per real input").hasSize(labels.size()).noneMatch(ProcessedRecord::getSynthetic);
      long carried = 0;
      for (ProcessedRecord carrier : onTopic) {
        for (ProcessedRecord syn : carrier.getSynthetics()) {
          assertThat(syn.getSynthetic()).isTrue();
          assertThat(syn.getId()).startsWith(carrier.getId() + "#syn");
          assertThat(syn.getSynthetics()).as("one level only").isEmpty();
          assertThat(syn.getRaw()).isEmpty();
          assertThat(syn.getSplit()).isEqualTo(Split.TRAIN);
        }
        carried += carrier.getSynthetics().size();
      }
      assertThat(carried).isPositive().isEqualTo(s.counter("synthetic"));
      assertThat(s.counter("train_class.legit") + s.counter("train_class.review") + s.counter("train_class.fraud"))
          .isEqualTo(labels.size() + carried);
    }
  }

  @Test
  void syntheticRecordsBeyondACarriersByteBudgetGoOutAsRecordsOfTheirOwn() throws Exception {
    int width = 3000; // about 27 KB a synthetic record: 9 fit a carrier, while one review record may trigger up to 20
    try (Stage s = new Stage("smote", Map.of(StreamlearnConfig.REBALANCE_MAX_PER_RECORD, "20"))) {
      for (int i = 0; i < 200; i++) {
        s.send("l" + i, LEGIT, width);
      }
      for (int i = 0; i < 30; i++) {
        // review lags the target's growth since it arrived (10 legit a review record): its deficit is closed while records flow
        for (int j = 0; j < 10; j++) {
          s.send("l" + i + "." + j, LEGIT, width);
        }
        s.send("v" + i, REVIEW, width);
      }
      assertBudgetHeld(s, width);
    }
  }

  @Test
  void longIdsCountAgainstTheBudget() throws Exception {
    // Ids of 20,000 characters (a cleaned record may be 100 KB): each synthetic record repeats its id and two parents'.
    String pad = "x".repeat(20_000);
    try (Stage s = new Stage("smote", Map.of(StreamlearnConfig.REBALANCE_MAX_PER_RECORD, "20"))) {
      for (int i = 0; i < 200; i++) {
        s.send(pad + "l" + i, LEGIT);
      }
      for (int i = 0; i < 30; i++) {
        for (int j = 0; j < 10; j++) {
          s.send(pad + "l" + i + "." + j, LEGIT); // review lags the target's growth (see above)
        }
        s.send(pad + "v" + i, REVIEW);
      }
      assertBudgetHeld(s, 2);
    }
  }

  private static void assertBudgetHeld(Stage s, int width) {
    List<ProcessedRecord> onTopic = s.out.readValuesToList();
    assertThat(onTopic).allSatisfy(r -> {
      int carrierOwn = Avro.PROCESSED.encode(ProcessedRecord.newBuilder(r).setSynthetics(List.of()).build()).length;
      assertThat(Avro.PROCESSED.encode(r).length - carrierOwn).isLessThanOrEqualTo(RebalanceProcessor.CARRIER_BUDGET_BYTES);
    });
    assertThat(onTopic.stream().filter(ProcessedRecord::getSynthetic)).as("the overflow, standalone").isNotEmpty();
    assertThat(onTopic.stream().mapToInt(r -> r.getSynthetics().size()).max().orElseThrow()).as("carriers do carry").isPositive();
    List<ProcessedRecord> all = onTopic.stream().flatMap(r -> TrainingRecords.unpack(r).stream()).toList();
    assertThat(all.stream().filter(ProcessedRecord::getSynthetic).count()).isEqualTo(s.counter("synthetic")).isPositive();
    assertThat(all.stream().map(ProcessedRecord::getId).distinct().count()).as("no synthetic record twice").isEqualTo(all.size());
  }

  @Test
  void smoteTopsATinyClassUpOnlyAtRestAndCatchesALateClassUpAtTheConfiguredPace() throws Exception {
    try (Stage s = new Stage("smote", Map.of(StreamlearnConfig.REBALANCE_MAX_PER_RECORD, "20"))) {
      List<Integer> labels = new ArrayList<>(Collections.nCopies(1000, LEGIT));
      labels.addAll(shuffled(200, 30, 5, 2)); // review arrives late with 30 records; fraud has 5, too few (default 10)
      for (int i = 0; i < labels.size(); i++) {
        s.send("r" + i, labels.get(i));
      }
      s.pause();
      List<ProcessedRecord> out = s.read();
      Map<String, Long> perLabel = perLabel(out);
      assertThat(perLabel).containsEntry("legit", 1200L).containsEntry("fraud", 1200L).containsEntry("review", 1200L);
      // fraud's 5 records are too few to oversample while records flow: all of its synthetic records come at rest,
      // interpolated among its 5 (every one of them a neighbour of the others).
      List<ProcessedRecord> fraudSynthetic = out.stream().filter(ProcessedRecord::getSynthetic).filter(r -> r.getLabel().equals("fraud")).toList();
      assertThat(fraudSynthetic).hasSize(1195).allSatisfy(r -> assertThat(r.getId()).contains("#settle"));
      // Per real record, at most 20 synthetic records (of the one class that lags here) while records flow.
      Map<String, Long> perParentRecord = out.stream().filter(ProcessedRecord::getSynthetic).filter(r -> r.getId().contains("#syn"))
          .collect(Collectors.groupingBy(r -> r.getId().substring(0, r.getId().indexOf('#')), Collectors.counting()));
      assertThat(perParentRecord.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(20));
      // Nothing synthetic before review had 10 real records.
      List<String> order = out.stream().map(r -> r.getSynthetic() ? "syn" : r.getLabel()).toList();
      int firstSynthetic = order.indexOf("syn");
      assertThat(order.subList(0, firstSynthetic).stream().filter("review"::equals).count()).isEqualTo(10);
    }
  }

  @Test
  void undersampleKeepsEverythingUntilASecondClassIsEligibleThenCapsAtItsCount() throws Exception {
    try (Stage s = new Stage("undersample", Map.of())) {
      for (int i = 0; i < 300; i++) {
        s.send("a" + i, LEGIT);
      }
      assertThat(s.read()).hasSize(300); // review and fraud not seen yet: nothing is capped
      List<Integer> labels = shuffled(600, 200, 0, 4);
      for (int i = 0; i < labels.size(); i++) {
        s.send("b" + i, labels.get(i));
      }
      Map<String, Long> kept = perLabel(s.read());
      // Until review has 10 records (rebalance.min.class.records) nothing is capped; then the cap is review's count,
      // and legit, already past it, is dropped: review (200) never catches up with it.
      int tenthReview = 0;
      for (int seen = 0; seen < 10; tenthReview++) {
        seen += labels.get(tenthReview) == REVIEW ? 1 : 0;
      }
      long legitBefore = labels.subList(0, tenthReview).stream().filter(l -> l == LEGIT).count();
      assertThat(kept.get("review")).isEqualTo(200);
      assertThat(kept.get("legit")).isEqualTo(legitBefore);
      assertThat(s.counter("undersampled")).isEqualTo(600 - legitBefore);
      assertThat(s.counter("train_real.legit")).isEqualTo(900);
    }
  }

  @Test
  void undersampleBringsShuffledClassesToTheSmallestOverTheRatio() throws Exception {
    try (Stage s = new Stage("undersample", Map.of(StreamlearnConfig.REBALANCE_TARGET_RATIO, "0.5"))) {
      List<Integer> labels = shuffled(3000, 1000, 400, 5);
      for (int i = 0; i < labels.size(); i++) {
        s.send("r" + i, labels.get(i));
      }
      Map<String, Long> kept = perLabel(s.read());
      assertThat(kept.get("fraud")).isEqualTo(400);
      assertThat(kept.get("legit") / 800.0).isCloseTo(1.0, within(0.02));
      assertThat(kept.get("review") / 800.0).isCloseTo(1.0, within(0.02));
    }
  }

  @Test
  void weightsAreTheLargestRealCountOverTheClassCountAndBounded() throws Exception {
    try (Stage s = new Stage("weight", Map.of(StreamlearnConfig.REBALANCE_MAX_WEIGHT, "4"))) {
      for (int i = 0; i < 100; i++) {
        s.send("a" + i, LEGIT);
      }
      assertThat(s.read()).allSatisfy(r -> assertThat(r.getWeight()).isEqualTo(1.0));
      s.send("late1", FRAUD);
      assertThat(s.out.readValue().getWeight()).as("a late class's first record: bounded, not 100").isEqualTo(4.0);
      for (int i = 0; i < 49; i++) {
        s.send("f" + i, FRAUD);
      }
      List<ProcessedRecord> fraud = s.read();
      assertThat(fraud.get(fraud.size() - 1).getWeight()).isEqualTo(100.0 / 50);
      s.send("a100", LEGIT);
      assertThat(s.out.readValue().getWeight()).isEqualTo(1.0);
    }
  }

  @Test
  void noneForwardsEveryRecordUnweighted() throws Exception {
    try (Stage s = new Stage("none", Map.of())) {
      List<Integer> labels = shuffled(90, 10, 1, 6);
      for (int i = 0; i < labels.size(); i++) {
        s.send("r" + i, labels.get(i));
      }
      List<ProcessedRecord> out = s.read();
      assertThat(out).hasSize(101).noneMatch(ProcessedRecord::getSynthetic).allSatisfy(r -> assertThat(r.getWeight()).isEqualTo(1.0));
    }
  }

  @Test
  void aRestartedProcessorContinuesExactlyWhereItStopped() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092", StreamlearnConfig.REBALANCE_RESERVOIR, "16"));
    List<Integer> labels = shuffled(500, 80, 30, 7);
    Random rnd = new Random(8);
    List<ProcessedRecord> input = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      input.add(record("r" + i, labels.get(i), rnd));
    }
    Function<Stores2, RebalanceProcessor> start = st -> {
      RebalanceProcessor p = new RebalanceProcessor(RebalanceProcessor.Mode.SMOTE, LABELS, () -> Oversampler.configured(c, LABELS.size()));
      p.init(st.context);
      return p;
    };
    Stores2 once = new Stores2();
    RebalanceProcessor uninterrupted = start.apply(once);
    input.forEach(r -> uninterrupted.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));

    Stores2 first = new Stores2();
    RebalanceProcessor before = start.apply(first);
    input.subList(0, 300).forEach(r -> before.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));
    Stores2 second = first.reopened();
    RebalanceProcessor after = start.apply(second);
    input.subList(300, input.size()).forEach(r -> after.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));

    List<ProcessedRecord> restarted = new ArrayList<>(first.forwarded());
    restarted.addAll(second.forwarded());
    assertThat(restarted).hasSameSizeAs(once.forwarded()).isEqualTo(once.forwarded());
    assertThat(restarted.stream().filter(ProcessedRecord::getSynthetic).count()).isGreaterThan(500);
  }

  /**
   * The stage's state reaches its stores only at a commit: after a crash the transaction's output is aborted
   * and the restarted processor, reading the last committed state, replays from there to the same output.
   */
  @Test
  void aRestartAfterAnAbortedTransactionReplaysFromTheLastCommit() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092", StreamlearnConfig.REBALANCE_RESERVOIR, "16"));
    List<Integer> labels = shuffled(400, 60, 25, 9);
    Random rnd = new Random(11);
    List<ProcessedRecord> input = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      input.add(record("r" + i, labels.get(i), rnd));
    }
    Function<Stores2, RebalanceProcessor> start = st -> {
      RebalanceProcessor p = new RebalanceProcessor(RebalanceProcessor.Mode.SMOTE, LABELS, () -> Oversampler.configured(c, LABELS.size()));
      p.init(st.context);
      return p;
    };
    Stores2 once = new Stores2();
    RebalanceProcessor uninterrupted = start.apply(once);
    input.forEach(r -> uninterrupted.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));

    Stores2 first = new Stores2();
    RebalanceProcessor before = start.apply(first);
    input.subList(0, 250).forEach(r -> before.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));
    first.rebalance.flushCache();
    first.counters.flushCache();
    List<ProcessedRecord> committed = first.forwarded();
    Map<String, Long> countsAtCommit = counts(first.counters);
    // 150 more records, whose transaction never commits: their output is aborted, their state never written.
    input.subList(250, 400).forEach(r -> before.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));
    assertThat(counts(first.counters)).as("nothing reaches the store between commits").isEqualTo(countsAtCommit);

    Stores2 second = first.reopenedAfterCrash();
    RebalanceProcessor after = start.apply(second);
    input.subList(250, input.size()).forEach(r -> after.process(new org.apache.kafka.streams.processor.api.Record<>(r.getId(), r, 0)));

    List<ProcessedRecord> restarted = new ArrayList<>(committed);
    restarted.addAll(second.forwarded());
    assertThat(restarted).isEqualTo(once.forwarded());
    once.counters.flushCache();
    second.counters.flushCache();
    assertThat(counts(second.counters)).isEqualTo(counts(once.counters)).containsKey("synthetic");
  }

  private static Map<String, Long> counts(CommitAlignedStore<Long> store) {
    Map<String, Long> m = new java.util.TreeMap<>();
    try (var it = store.kv().all()) {
      it.forEachRemaining(kv -> m.put(kv.key, kv.value));
    }
    return m;
  }

  /** A mock context with the stage's two stores (in memory), which a restarted processor can reopen. */
  private static final class Stores2 {
    final MockProcessorContext<String, ProcessedRecord> context = new MockProcessorContext<>();
    final CommitAlignedStore<byte[]> rebalance;
    final CommitAlignedStore<Long> counters;

    Stores2() {
      this(CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
              org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.REBALANCE), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled()).build(),
          CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
              org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.COUNTERS), Serdes.String(), Serdes.Long()).withLoggingDisabled()).build(), true);
    }

    private Stores2(CommitAlignedStore<byte[]> rebalance, CommitAlignedStore<Long> counters, boolean init) {
      this.rebalance = rebalance;
      this.counters = counters;
      if (init) {
        rebalance.init(context.getStateStoreContext(), rebalance);
        counters.init(context.getStateStoreContext(), counters);
      }
      context.addStateStore(rebalance);
      context.addStateStore(counters);
    }

    /** The task commits (the processor's state reaches the stores) and a new processor opens the same stores. */
    Stores2 reopened() {
      rebalance.flushCache();
      counters.flushCache();
      return new Stores2(rebalance, counters, false);
    }

    /** A crash: what was not committed is lost with the processor, and a new one opens the same stores. */
    Stores2 reopenedAfterCrash() {
      return new Stores2(rebalance, counters, false);
    }

    List<ProcessedRecord> forwarded() {
      return context.forwarded().stream().flatMap(f -> TrainingRecords.unpack((ProcessedRecord) f.record().value()).stream()).toList();
    }
  }
}
