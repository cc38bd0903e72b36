package dev.streamlearn.streams;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pipeline's figures, merged from the latest report of every partition on the stats topic:
 * counters summed, normalizer statistics merged exactly (Chan et al.). {@link #reconciles()} checks
 * raw = clean + held + dropped + duplicates + Σ dlq: {@code held} are records the normalization
 * warm-up holds back (in flight), {@code dropped} held records released after their label left the
 * spec. {@code lastUpdate} is the wall-clock time of the newest report.
 * Per class: {@code classes} counts valid unique records, {@code trainReal} the real ones that reached
 * the rebalancing stage, {@code trainClasses} what it put on records.train (synthetic included),
 * {@code trainTargets} the sum of the partitions' targets for it (each partition balances its own
 * share). {@code owed}: synthetic records the partitions still owe (zero once they are at rest).
 */
public record PipelineReport(long raw, long clean, long duplicates, Map<String, Long> dlq, long train, long eval, long synthetic,
    long undersampled, Map<String, Long> classes, Map<String, Long> trainClasses, Map<String, Long> trainReal, DatasetSpec spec, RunningStats normalizer, long lastUpdate,
    long held, long dropped, Map<String, Long> trainTargets, long owed) {

  public long dlqTotal() {
    return dlq.values().stream().mapToLong(Long::longValue).sum();
  }

  public boolean reconciles() {
    return raw == clean + held + dropped + duplicates + dlqTotal();
  }

  public static PipelineReport read(KafkaClients clients) {
    Map<String, NormalizerStats> latest = new HashMap<>();
    DatasetSpec[] spec = new DatasetSpec[1];
    new TopicReader(clients).readAll(clients.config().topic(TopicName.STATS), r -> {
      if (r.key() == null) {
        return;
      }
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) { // a tombstone: 'streamlearn replay' cleared this report
        latest.remove(key);
        if (key.equals(DatasetSpecResolver.SPEC_KEY)) {
          spec[0] = null;
        }
        return;
      }
      try {
        if (key.equals(DatasetSpecResolver.SPEC_KEY)) {
          spec[0] = dev.streamlearn.core.UntrustedBytes.decode(Avro.SPEC, r.value());
        } else {
          latest.put(key, dev.streamlearn.core.UntrustedBytes.decode(Avro.STATS, r.value()));
        }
      } catch (RuntimeException e) {
        // junk on the stats topic must not break 'stats' or 'status': the last good report of that key stands
        org.slf4j.LoggerFactory.getLogger(PipelineReport.class).warn("skipping the record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
            e.getMessage());
      }
    });
    return merge(latest.values(), spec[0]);
  }

  public static PipelineReport merge(Iterable<NormalizerStats> reports, DatasetSpec spec) {
    Map<String, Long> sum = new TreeMap<>();
    RunningStats merged = spec == null ? null : new RunningStats(spec.getFeatures().size());
    long lastUpdate = 0;
    for (NormalizerStats s : reports) {
      lastUpdate = Math.max(lastUpdate, s.getUpdatedAt());
      s.getCounters().forEach((k, v) -> sum.merge(k, v, Long::sum));
      if (merged != null && s.getCount().size() == merged.width()) {
        merged.merge(StatsCodec.fromAvro(s));
      }
    }
    Map<String, Long> dlq = new TreeMap<>();
    Map<String, Long> classes = new TreeMap<>();
    Map<String, Long> trainClasses = new TreeMap<>();
    Map<String, Long> trainReal = new TreeMap<>();
    Map<String, Long> trainTargets = new TreeMap<>();
    sum.forEach((k, v) -> {
      if (k.startsWith("dlq.")) {
        dlq.put(k.substring(4), v);
      } else if (k.startsWith("class.")) {
        classes.put(k.substring(6), v);
      } else if (k.startsWith("train_class.")) {
        trainClasses.put(k.substring(12), v);
      } else if (k.startsWith("train_real.")) {
        trainReal.put(k.substring(11), v);
      } else if (k.startsWith("train_target.")) {
        trainTargets.put(k.substring(13), v);
      }
    });
    if (spec != null) {
      spec.getLabels().forEach(l -> {
        classes.putIfAbsent(l, 0L);
        trainClasses.putIfAbsent(l, 0L);
        trainReal.putIfAbsent(l, 0L);
      });
    }
    return new PipelineReport(sum.getOrDefault("raw", 0L), sum.getOrDefault("clean", 0L), sum.getOrDefault("duplicates", 0L), dlq,
        sum.getOrDefault("train", 0L), sum.getOrDefault("eval", 0L), sum.getOrDefault("synthetic", 0L), sum.getOrDefault("undersampled", 0L),
        classes, trainClasses, trainReal, spec, merged, lastUpdate,
        sum.getOrDefault("held", 0L), sum.getOrDefault("dropped", 0L), trainTargets, sum.getOrDefault("rebalance_owed", 0L));
  }
}
