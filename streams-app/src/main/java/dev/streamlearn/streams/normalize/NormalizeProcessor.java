package dev.streamlearn.streams.normalize;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import dev.streamlearn.streams.split.Splitter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Updates the partition's running statistics with each unique record, then emits it normalized
 * with them and assigned to its split. Normalizing with the partition's own statistics (not a
 * cluster-wide view that changes with timing) keeps the output deterministic under replays and
 * restarts; the statistics published per partition merge exactly into the global ones that model
 * snapshots embed for serving.
 *
 * <p>Warm-up: the first records of a partition would be normalized with the moments of one, two,
 * three samples (values of exactly 0 and +-1), far from the transform the model is served with. So
 * they wait, in order, in a changelogged store until the statistics cover {@link Warmup#records()},
 * and then flow normalized with those. A partition that never gets there releases them after
 * {@link Warmup#maxWait()} without a new record.
 */
public final class NormalizeProcessor implements Processor<String, LabeledRecord, String, ProcessedRecord> {

  /** How many records the statistics must cover before records flow, and how long a quiet partition holds them at most. */
  public record Warmup(int records, Duration maxWait) {}

  private static final String KEY = "stats";
  private static final String WARM = "warm";
  private static final String HELD_PREFIX = "held.";

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
  private boolean warm;
  private long heldCount;
  private long lastArrivalMillis;

  public NormalizeProcessor(DatasetSpec spec, String method, double clipK, Splitter splitter, Warmup warmup) {
    this.spec = spec;
    this.scaler = new Scaler(Scaler.method(method), clipK);
    this.splitter = splitter;
    this.warmup = warmup;
    for (int i = 0; i < spec.getLabels().size(); i++) {
      labelIndex.put(spec.getLabels().get(i), i);
    }
  }

  @Override
  public void init(ProcessorContext<String, ProcessedRecord> context) {
    this.context = context;
    this.store = context.getStateStore(Stores.NORMALIZER);
    this.counters = new Counters(context.getStateStore(Stores.COUNTERS));
    this.stats = load(store, spec.getFeatures().size());
    if (warmup.records() == 0) {
      warm = true;
      return;
    }
    this.held = context.getStateStore(Stores.NORMALIZE_WARMUP);
    warm = held.get(WARM) != null;
    try (KeyValueIterator<String, byte[]> it = held.prefixScan(HELD_PREFIX, new org.apache.kafka.common.serialization.StringSerializer())) {
      while (it.hasNext()) {
        it.next();
        heldCount++;
      }
    }
    lastArrivalMillis = context.currentSystemTimeMs();
    Duration every = warmup.maxWait().isZero() ? Duration.ofSeconds(1) : warmup.maxWait().dividedBy(4).plusMillis(1);
    context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> {
      if (!warm && heldCount > 0 && now - lastArrivalMillis >= warmup.maxWait().toMillis()) {
        release();
      }
    });
  }

  /** The partition's stats as last committed, or empty ones. */
  public static RunningStats load(KeyValueStore<String, byte[]> store, int width) {
    byte[] b = store.get(KEY);
    return b == null ? new RunningStats(width) : RunningStats.fromBytes(b);
  }

  @Override
  public void process(Record<String, LabeledRecord> record) {
    double[] x = rawValues(record.value());
    stats.update(x);
    // Written on every record (into the record cache), so the changelog commits with the output it explains.
    store.put(KEY, stats.toBytes());
    if (warm) {
      emit(record, x);
      return;
    }
    lastArrivalMillis = context.currentSystemTimeMs();
    hold(record);
    if (stats.maxCount() >= warmup.records()) {
      release();
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
    byte[] key = record.key() == null ? new byte[0] : record.key().getBytes(StandardCharsets.UTF_8);
    byte[] value = Avro.LABELED.encode(record.value());
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + key.length + value.length);
    b.putLong(record.timestamp()).putInt(key.length).put(key).put(value);
    held.put(String.format("%s%012d", HELD_PREFIX, heldCount++), b.array());
  }

  /** Emits every held record in arrival order, normalized with the statistics as they are now, and marks the partition warm. */
  private void release() {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = held.prefixScan(HELD_PREFIX, new org.apache.kafka.common.serialization.StringSerializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        keys.add(kv.key);
        ByteBuffer b = ByteBuffer.wrap(kv.value);
        long ts = b.getLong();
        byte[] key = new byte[b.getInt()];
        b.get(key);
        byte[] value = new byte[b.remaining()];
        b.get(value);
        LabeledRecord r = Avro.LABELED.decode(value);
        emit(new Record<>(new String(key, StandardCharsets.UTF_8), r, ts), rawValues(r));
      }
    }
    keys.forEach(held::delete);
    heldCount = 0;
    warm = true;
    held.put(WARM, new byte[] {1});
  }

  private void emit(Record<String, LabeledRecord> record, double[] x) {
    LabeledRecord r = record.value();
    double[] z = scaler.transform(stats, x);
    Split split = splitter.assign(r.getId());
    List<Double> zs = new ArrayList<>(z.length);
    List<Double> raw = new ArrayList<>(z.length);
    for (int i = 0; i < z.length; i++) {
      zs.add(z[i]);
      raw.add(x[i]);
    }
    ProcessedRecord out = ProcessedRecord.newBuilder().setId(r.getId()).setTs(r.getTs()).setLabel(r.getLabel())
        .setLabelIndex(labelIndex.get(r.getLabel())).setFeatures(zs).setSplit(split).setSynthetic(false)
        .setParents(List.of()).setStatsVersion(stats.maxCount()).setWeight(1.0).setRaw(raw).build();
    counters.increment("clean");
    counters.increment(split == Split.EVAL ? "eval" : "train");
    counters.increment("class." + r.getLabel());
    context.forward(new Record<>(record.key(), out, record.timestamp(), record.headers()));
  }
}
