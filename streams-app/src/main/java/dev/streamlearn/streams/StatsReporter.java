package dev.streamlearn.streams;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import dev.streamlearn.streams.normalize.NormalizeProcessor;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Publishes a partition's counters (and, after the re-key, its normalizer statistics) to the
 * compacted stats topic on a wall-clock schedule, keyed {@code STAGE-PARTITION}. It ignores the
 * records it is attached to: it exists so the reports go out in the task's own transaction, in step
 * with the records they count. 'streamlearn stats' merges the latest report of every partition.
 */
public final class StatsReporter<K, V> implements Processor<K, V, String, NormalizerStats> {

  private final String stage;
  private final String countersStore;
  private final boolean withNormalizer;
  private final DatasetSpec spec;
  private final String method;
  private final Duration interval;
  private ProcessorContext<String, NormalizerStats> context;
  private Map<String, Long> lastCounters = Map.of();
  private long lastVersion = -1;

  public StatsReporter(String stage, String countersStore, boolean withNormalizer, DatasetSpec spec, String method, Duration interval) {
    this.stage = stage;
    this.countersStore = countersStore;
    this.withNormalizer = withNormalizer;
    this.spec = spec;
    this.method = method;
    this.interval = interval;
  }

  @Override
  public void init(ProcessorContext<String, NormalizerStats> context) {
    this.context = context;
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::report);
  }

  @Override
  public void process(Record<K, V> record) {
    // reports are driven by the punctuator
  }

  private KeyValueStore<String, byte[]> normalizerStore() {
    CommitAlignedStore<byte[]> aligned = CommitAlignedStore.open(context, Stores.NORMALIZER);
    aligned.writePending();
    return aligned.kv();
  }

  private void report(long now) {
    // The stages keep their counts and statistics in memory until a commit: write them first, to report them all.
    CommitAlignedStore<Long> aligned = CommitAlignedStore.open(context, countersStore);
    aligned.writePending();
    KeyValueStore<String, Long> counters = aligned.kv();
    Map<String, Long> values = new TreeMap<>();
    try (KeyValueIterator<String, Long> it = counters.all()) {
      it.forEachRemaining(kv -> values.put(kv.key, kv.value));
    }
    RunningStats stats = withNormalizer ? NormalizeProcessor.load(normalizerStore(), spec.getFeatures().size())
        : new RunningStats(0);
    if (values.equals(lastCounters) && stats.maxCount() == lastVersion) {
      return;
    }
    lastCounters = values;
    lastVersion = stats.maxCount();
    int partition = context.taskId().partition();
    NormalizerStats report = StatsCodec.toAvro(stats, spec, method, partition, values, now);
    context.forward(new Record<>(stage + "-" + partition, report, now));
  }
}
