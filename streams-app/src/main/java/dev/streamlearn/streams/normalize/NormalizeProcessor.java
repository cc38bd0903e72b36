package dev.streamlearn.streams.normalize;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import dev.streamlearn.streams.split.Splitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Updates the partition's running statistics with each unique record, then emits it normalized
 * with them and assigned to its split. Normalizing with the partition's own statistics (not a
 * cluster-wide view that changes with timing) keeps the output deterministic under replays and
 * restarts; the statistics published per partition merge exactly into the global ones that model
 * snapshots embed for serving.
 *
 * <p>Warm-up: the first records of a partition would be normalized with the moments of one, two,
 * three samples (values of exactly 0 and +-1), far from the transform the model is served with. So
 * they wait, in order and with their headers, in a changelogged store until the statistics cover
 * {@link Warmup#records()}; then they flow normalized with those and the partition is warm for good.
 * A slow or small partition must still flow: once the oldest held record has waited {@link
 * Warmup#maxWait()} of wall-clock time (its arrival time is stored with it, so a restart keeps it),
 * everything held is released, normalized with the statistics as they are then. Such a release by
 * time does not end the warm-up: later records are held again. It is the one case where output
 * depends on timing. While records are held they are counted as {@code held} (in flight).
 *
 * <p>Records held when the warm-up is turned off (or lowered below the count already seen) are
 * released, in order, on the first punctuation or record after start. A held record whose label the
 * spec no longer has cannot be given a label index; it is dropped, counted as {@code dropped} and
 * logged once per task (this stage has no dead-letter output).
 */
public final class NormalizeProcessor implements Processor<String, LabeledRecord, String, ProcessedRecord> {

  /** How many records the statistics must cover before records flow, and how long the oldest held record waits at most. */
  public record Warmup(int records, Duration maxWait) {}

  private static final Logger LOG = LoggerFactory.getLogger(NormalizeProcessor.class);
  private static final String KEY = "stats";
  private static final String WARM = "warm";
  private static final String HELD_PREFIX = "held.";
  /** Punctuation period when max.wait.ms is 0: held records then leave at the next punctuation. */
  private static final Duration MIN_CHECK = Duration.ofMillis(100);

  private final DatasetSpec spec;
  private final Scaler scaler;
  private final Splitter splitter;
  private final Warmup warmup;
  private final Map<String, Integer> labelIndex = new HashMap<>();
  private ProcessorContext<String, ProcessedRecord> context;
  private KeyValueStore<String, byte[]> store;
  private KeyValueStore<String, byte[]> held;
  private Counters counters;
  private RunningStats stats;
  private boolean statsChanged;
  private boolean warm;
  /** Number of held records, the sequence number of the next one, and when the oldest arrived (wall clock). */
  private long heldCount;
  private long nextSeq;
  private long oldestArrivedMillis;
  private boolean droppedLogged;
  private Cancellable startupRelease;

  public NormalizeProcessor(DatasetSpec spec, Scaler.Method method, double clipK, Splitter splitter, Warmup warmup) {
    this.spec = spec;
    this.scaler = new Scaler(method, clipK);
    this.splitter = splitter;
    this.warmup = warmup;
    for (int i = 0; i < spec.getLabels().size(); i++) {
      labelIndex.put(spec.getLabels().get(i), i);
    }
  }

  @Override
  public void init(ProcessorContext<String, ProcessedRecord> context) {
    // A revived task (after a dirty close) calls init again on this same object: nothing of the previous life may stay.
    this.context = context;
    this.statsChanged = false;
    this.heldCount = 0;
    this.nextSeq = 0;
    this.oldestArrivedMillis = 0;
    this.startupRelease = null;
    CommitAlignedStore<byte[]> aligned = CommitAlignedStore.open(context, Stores.NORMALIZER);
    this.store = aligned.kv();
    this.counters = new Counters(CommitAlignedStore.open(context, Stores.COUNTERS), "normalize");
    this.stats = load(store, spec.getFeatures().size());
    aligned.beforeCommit("normalize", this::writeStats);
    // Connected whatever the setting (see PreprocessTopology), so records held under an earlier setting are found.
    this.held = context.getStateStore(Stores.NORMALIZE_WARMUP);
    scanHeld();
    warm = warmup.records() == 0 || held.get(WARM) != null || stats.maxCount() >= warmup.records();
    if (warm && heldCount > 0) {
      // init cannot forward: release on the first punctuation (due at once) or the first record, whichever comes first.
      startupRelease = context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME, now -> releaseStranded());
    }
    if (warmup.records() > 0) {
      Duration every = warmup.maxWait().isZero() ? MIN_CHECK : warmup.maxWait().dividedBy(4).plusMillis(1);
      context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::releaseIfOldestWaitedEnough);
    }
  }

  /** The partition's stats as last committed, or empty ones. */
  public static RunningStats load(KeyValueStore<String, byte[]> store, int width) {
    byte[] b = store.get(KEY);
    if (b == null) {
      return new RunningStats(width);
    }
    RunningStats stats = RunningStats.fromBytes(b);
    if (stats.width() != width) {
      // The resolver refuses another feature list over existing state; this is the last line, with a message.
      throw new IllegalStateException("the normalizer state holds moments of " + stats.width() + " features, the spec has " + width
          + ": the state was built with another feature list (run 'streamlearn replay --respec --yes')");
    }
    return stats;
  }

  /** Once per commit, not per record (the bytes are 40 a feature), so the changelog commits with the output it explains. */
  private void writeStats() {
    if (statsChanged) {
      store.put(KEY, stats.toBytes());
      statsChanged = false;
    }
  }

  @Override
  public void process(Record<String, LabeledRecord> record) {
    releaseStranded(); // before this record, so order is kept
    double[] x = rawValues(record.value());
    stats.update(x);
    statsChanged = true;
    if (warm) {
      emit(record, x);
      return;
    }
    hold(record);
    if (stats.maxCount() >= warmup.records()) {
      warm = true;
      held.put(WARM, new byte[] {1});
      release();
    }
  }

  private void releaseIfOldestWaitedEnough(long now) {
    if (!warm && heldCount > 0 && now - oldestArrivedMillis >= warmup.maxWait().toMillis()) {
      release(); // not warm: the records after these are held again
    }
  }

  private void releaseStranded() {
    if (startupRelease != null) {
      startupRelease.cancel();
      startupRelease = null;
      release();
    }
  }

  private void scanHeld() {
    try (KeyValueIterator<String, byte[]> it = held.prefixScan(HELD_PREFIX, new StringSerializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        if (heldCount++ == 0) {
          // conservatively, a record stored without its arrival time arrived now
          oldestArrivedMillis = HeldRecord.fromBytes(kv.value, context.currentSystemTimeMs()).arrivedMillis();
        }
        nextSeq = Long.parseLong(kv.key.substring(HELD_PREFIX.length())) + 1;
      }
    }
  }

  private double[] rawValues(LabeledRecord r) {
    List<String> names = spec.getFeatures();
    double[] x = new double[names.size()];
    for (int i = 0; i < x.length; i++) {
      Double v = r.getFeatures().get(names.get(i));
      x[i] = v == null ? Double.NaN : v; // missing (impute-mean): skipped by the stats, the mean when scaled
    }
    return x;
  }

  private void hold(Record<String, LabeledRecord> record) {
    long now = context.currentSystemTimeMs();
    if (heldCount == 0) {
      oldestArrivedMillis = now;
    }
    held.put(String.format("%s%012d", HELD_PREFIX, nextSeq++), new HeldRecord(now, record).toBytes());
    heldCount++;
    counters.increment("held");
  }

  /** Emits every held record in arrival order, normalized with the statistics as they are now. */
  private void release() {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = held.prefixScan(HELD_PREFIX, new StringSerializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        keys.add(kv.key);
        HeldRecord h = HeldRecord.fromBytes(kv.value, context.currentSystemTimeMs());
        Record<String, LabeledRecord> r = h.record();
        if (h.counted()) {
          counters.add("held", -1);
        }
        emit(r, rawValues(r.value()));
      }
    }
    keys.forEach(held::delete);
    heldCount = 0;
    nextSeq = 0;
  }

  private void emit(Record<String, LabeledRecord> record, double[] x) {
    LabeledRecord r = record.value();
    Integer index = labelIndex.get(r.getLabel());
    if (index == null) {
      drop(r);
      return;
    }
    double[] z = scaler.transform(stats, x);
    Split split = splitter.assign(r.getId());
    List<Double> zs = new ArrayList<>(z.length);
    List<Double> raw = new ArrayList<>(z.length);
    for (int i = 0; i < z.length; i++) {
      zs.add(z[i]);
      raw.add(x[i]);
    }
    ProcessedRecord out = ProcessedRecord.newBuilder().setId(r.getId()).setTs(r.getTs()).setLabel(r.getLabel())
        .setLabelIndex(index).setFeatures(zs).setSplit(split).setSynthetic(false)
        .setParents(List.of()).setStatsVersion(stats.maxCount()).setWeight(1.0).setRaw(raw).build();
    counters.increment("clean");
    counters.increment(split == Split.EVAL ? "eval" : "train");
    counters.increment("class." + r.getLabel());
    context.forward(new Record<>(record.key(), out, record.timestamp(), record.headers()));
  }

  /** Only a record held across a change of the spec's labels gets here: the cleaner rejects unknown labels before. */
  private void drop(LabeledRecord r) {
    counters.increment("dropped");
    if (!droppedLogged) {
      droppedLogged = true;
      LOG.warn("dropping held record '{}' of partition {}: its label '{}' is not one of {} (counted as 'dropped'; further ones are not logged)",
          r.getId(), context.taskId().partition(), r.getLabel(), spec.getLabels());
    }
  }
}
