package dev.streamlearn.streams;

import static dev.streamlearn.core.StreamlearnConfig.*;
import static dev.streamlearn.streams.StageStores.stage;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.streams.clean.CleanOutcome;
import dev.streamlearn.streams.clean.CleanProcessor;
import dev.streamlearn.streams.clean.Cleaner;
import dev.streamlearn.streams.clean.PiiScrubber;
import dev.streamlearn.streams.dedup.DedupKey;
import dev.streamlearn.streams.dedup.DedupPlacement;
import dev.streamlearn.streams.dedup.DedupProcessor;
import dev.streamlearn.streams.normalize.NormalizeProcessor;
import dev.streamlearn.streams.rebalance.Oversampler;
import dev.streamlearn.streams.rebalance.RebalanceProcessor;
import dev.streamlearn.streams.split.Splitter;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The preprocessing topology, top to bottom:
 *
 * <pre>
 * records.raw ─ clean ─┬─ rejected ───────────────────────────────────────────▶ records.dlq
 *                      ├─ valid, keyed by id on its partition ──────┐
 *                      └─ valid ─ re-key by id ─▶ (repartition) ─────┴─ dedup ─ normalize+split ─┬─▶ records.clean (opt-in)
 *                                                                                         ├─ EVAL ──▶ records.eval
 *                                                                                         └─ TRAIN ─ rebalance ─▶ records.train
 * each partition's counters and normalizer stats ──────────────────────────────────────────▶ normalizer.stats
 * </pre>
 */
public final class PreprocessTopology {

  /** The repartition topic's name in the topology (Streams adds the application id before it and "-repartition" after). */
  static final String REPARTITION = "by-dedup-key";

  private PreprocessTopology() {}

  /**
   * @param rawPartitions partitions of records.raw: records keyed by their dedup key on the partition the
   *     re-key would choose skip the repartition topic (see {@link DedupPlacement}); 0 (unknown) sends every
   *     valid record through it
   */
  public static Topology build(StreamlearnConfig c, DatasetSpec spec, int rawPartitions) {
    StreamsBuilder builder = new StreamsBuilder();
    long retention = c.getLong(DEDUP_RETENTION_MS);
    StageStores stores = new StageStores(Duration.ofMillis(retention));

    String statsTopic = c.topic(TopicName.STATS);
    String method = c.getString(NORMALIZE_METHOD);
    Scaler.Method scaling = parsed(NORMALIZE_METHOD, method, Scaler::method);
    Duration reportEvery = Duration.ofMillis(c.getLong(STATS_PUBLISH_MS));
    Produced<String, dev.streamlearn.avro.NormalizerStats> toStats = Produced.with(Serdes.String(), Avro.STATS);
    Produced<String, ProcessedRecord> processed = Produced.with(Serdes.String(), Avro.PROCESSED);

    // 1. Clean: every raw record is either valid (keyed for dedup) or rejected with its bytes.
    KStream<byte[], byte[]> raw = builder.stream(c.topic(TopicName.RAW), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("raw"));
    Cleaner cleaner = new Cleaner(spec,
        parsed(MISSING_POLICY, spec.getMissing(), Cleaner.MissingPolicy::of),
        parsed(EXTRA_POLICY, spec.getExtra(), Cleaner.ExtraPolicy::of),
        new Cleaner.Limits(c.getInt(MAX_RECORD_BYTES), spec.getFeatureMaxAbs(), c.getLong(MAX_FUTURE_MS)),
        new PiiScrubber(new HashSet<>(c.getList(PII_FIELDS)), c.getString(PII_MODE).equals("hash"), c.getPassword(PII_SECRET).value()));
    DedupKey dedupKey = parsed(DEDUP_KEY, c.getString(DEDUP_KEY), DedupKey::of);
    DedupPlacement placement = new DedupPlacement(rawPartitions);
    KStream<String, CleanOutcome> cleaned = raw.process(stage(() -> new CleanProcessor(cleaner, dedupKey, placement), stores.cleanCounters), Named.as("clean"));
    raw.process(stage(() -> new StatsReporter<byte[], byte[]>("clean", Stores.CLEAN_COUNTERS, false, spec, method, reportEvery), stores.cleanCounters),
            Named.as("clean-report"))
        .to(statsTopic, toStats);

    cleaned.filterNot((k, v) -> v.isValid(), Named.as("rejected")).mapValues(CleanOutcome::rejected, Named.as("to-rejected-record"))
        .to(c.topic(TopicName.DLQ), Produced.with(Serdes.String(), Avro.REJECTED).withName("dlq"));

    // 2. Re-key by id (or content hash) so a duplicate meets its original whatever partition it arrived on.
    KStream<String, CleanOutcome> valid = cleaned.filter((k, v) -> v.isValid(), Named.as("valid"));
    KStream<String, LabeledRecord> byKey;
    if (!placement.enabled()) {
      byKey = valid.mapValues(CleanOutcome::valid, Named.as("to-labeled-record"))
          .repartition(Repartitioned.with(Serdes.String(), Avro.LABELED).withName(REPARTITION));
    } else {
      // Records already on their dedup partition go straight on; the others cross the repartition topic, pinned to
      // records.raw's partition count so that both paths agree on where a key belongs (see DedupPlacement). Merged,
      // both feed one sub-topology that reads records.raw and the repartition topic partition by partition.
      KStream<String, LabeledRecord> moved = valid.filterNot((k, v) -> v.placed(), Named.as("misplaced"))
          .mapValues(CleanOutcome::valid, Named.as("to-labeled-record"))
          .repartition(Repartitioned.with(Serdes.String(), Avro.LABELED).withName(REPARTITION).withNumberOfPartitions(placement.partitions()));
      byKey = valid.filter((k, v) -> v.placed(), Named.as("placed")).mapValues(CleanOutcome::valid, Named.as("placed-labeled-record"))
          .merge(moved, Named.as("by-dedup-key-merged"));
    }

    // 3. Dedup, 4. normalize and split.
    KStream<String, ProcessedRecord> normalized = byKey
        .process(stage(() -> new DedupProcessor(retention), stores.dedup, stores.counters), Named.as("dedup"))
        .process(stage(() -> new NormalizeProcessor(spec, scaling, spec.getClipK(), new Splitter(c.getDouble(EVAL_FRACTION)),
                new NormalizeProcessor.Warmup(c.getInt(NORMALIZE_WARMUP_RECORDS), Duration.ofMillis(c.getLong(NORMALIZE_WARMUP_MAX_WAIT_MS)))),
            stores.normalizer, stores.normalizeWarmup, stores.counters), Named.as("normalize"));
    byKey.process(stage(() -> new StatsReporter<String, LabeledRecord>("prep", Stores.COUNTERS, true, spec, method, reportEvery), stores.counters,
            stores.normalizer), Named.as("prep-report"))
        .to(statsTopic, toStats);

    if (c.getBoolean(CLEAN_TOPIC_ENABLED)) {
      // Opt-in: records.train (its real records) and records.eval already hold every record this would copy.
      normalized.to(c.topic(TopicName.CLEAN), processed);
    }
    normalized.filter((k, v) -> v.getSplit() == Split.EVAL, Named.as("eval-split")).to(c.topic(TopicName.EVAL), processed);

    // 5. Rebalance the training split only: eval records are never oversampled.
    RebalanceProcessor.Mode mode = parsed(REBALANCE_MODE, c.getString(REBALANCE_MODE), s -> RebalanceProcessor.Mode.valueOf(s.toUpperCase(Locale.ROOT)));
    int classes = spec.getLabels().size();
    normalized.filter((k, v) -> v.getSplit() == Split.TRAIN, Named.as("train-split"))
        .process(stage(() -> new RebalanceProcessor(mode, spec.getLabels(), () -> Oversampler.configured(c, classes), c.getLong(REBALANCE_SETTLE_IDLE_MS)),
            stores.rebalance, stores.counters), Named.as("rebalance"))
        .to(c.topic(TopicName.TRAIN), processed);
    return builder.build();
  }

  /**
   * A setting's string turned into its type once, at start-up: a value the validator let through but the
   * stage cannot read (a spec pinned by another version, say) fails here naming the setting, never falls back.
   */
  static <T> T parsed(String setting, String value, java.util.function.Function<String, T> parse) {
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new org.apache.kafka.common.config.ConfigException(setting, value, e.getMessage());
    }
  }
}
