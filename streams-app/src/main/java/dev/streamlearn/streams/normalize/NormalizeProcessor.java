package dev.streamlearn.streams.normalize;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import dev.streamlearn.streams.split.Splitter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Updates the partition's running statistics with each unique record, then emits it normalized
 * with them and assigned to its split. Normalizing with the partition's own statistics (not a
 * cluster-wide view that changes with timing) keeps the output deterministic under replays and
 * restarts; the statistics published per partition merge exactly into the global ones that model
 * snapshots embed for serving.
 */
public final class NormalizeProcessor implements Processor<String, LabeledRecord, String, ProcessedRecord> {

  private static final String KEY = "stats";

  private final DatasetSpec spec;
  private final Scaler scaler;
  private final Splitter splitter;
  private final String method;
  private final Map<String, Integer> labelIndex = new HashMap<>();
  private ProcessorContext<String, ProcessedRecord> context;
  private KeyValueStore<String, byte[]> store;
  private Counters counters;
  private RunningStats stats;

  public NormalizeProcessor(DatasetSpec spec, String method, double clipK, Splitter splitter) {
    this.spec = spec;
    this.method = method;
    this.scaler = new Scaler(Scaler.method(method), clipK);
    this.splitter = splitter;
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
  }

  /** The partition's stats as last committed, or empty ones. */
  public static RunningStats load(KeyValueStore<String, byte[]> store, int width) {
    byte[] b = store.get(KEY);
    return b == null ? new RunningStats(width) : RunningStats.fromBytes(b);
  }

  @Override
  public void process(Record<String, LabeledRecord> record) {
    LabeledRecord r = record.value();
    List<String> names = spec.getFeatures();
    double[] x = new double[names.size()];
    for (int i = 0; i < x.length; i++) {
      Double v = r.getFeatures().get(names.get(i));
      x[i] = v == null ? Double.NaN : v; // missing (impute-mean): skipped by the stats, the mean when scaled
    }
    stats.update(x);
    // Written on every record (into the record cache), so the changelog commits with the output it explains.
    store.put(KEY, stats.toBytes());
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
    context.forward(record.withValue(out));
  }
}
