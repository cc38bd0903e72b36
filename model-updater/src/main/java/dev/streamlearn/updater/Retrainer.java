package dev.streamlearn.updater;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.ServingTransform;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.updater.snapshot.SnapshotPublisher;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;

/**
 * Deterministic model replay: from version V's weights, trains on a chosen range of records.train
 * with the updater's own learner ({@link ModelUpdater#learner}) and publishes the result as one new
 * version. The same range from the same version with the same configuration gives the same network,
 * bit for bit (the same SHA-256 on the snapshot):
 * <ul>
 *   <li>records are fed in a fixed order, partition by partition (ascending), each in offset order,
 *       from V's lineage offsets up to (excluding) the end offsets; never in the order fetches arrive;</li>
 *   <li>the replay buffer is seeded as the updater seeds it (updater.seed xor V's record count), and
 *       ND4J's random generator with updater.seed (dropout);</li>
 *   <li>ND4J runs single-threaded ({@link DeterministicMath}), and the snapshot's zip has fixed entry times ({@link Trainer#serialize}).</li>
 * </ul>
 *
 * <p>Where it lands: under another model name ({@code target} differs from the source), the new
 * version is judged by the quality gate against that name's current version, or against V when the
 * name has none, and becomes that name's current version only if the gate promotes it. Under the
 * source model's own name it is always published HELD, with the gate's verdict in its hold reason:
 * a replay never silently replaces what is served; {@code models rollback --to N} makes it current.
 * Either way the target model's updater must be stopped (it numbers versions in memory), and the
 * retrain is refused otherwise; it publishes with that updater's transactional id (see {@link #retrain}).
 *
 * <p>What is reproduced is the network: the normalizer stored with the new version and the gate's eval
 * window are read as they are now. A range whose records retention deleted fails; nothing is skipped.
 */
public final class Retrainer {

  /** Where the replay stops on each partition of records.train. */
  public sealed interface Until {
    /** The next offset not trained on, per partition; partitions not named are not read past V's offsets. */
    record Offsets(Map<Integer, Long> next) implements Until {}

    /**
     * On each partition, up to (excluding) the first offset whose Kafka timestamp is at or after this
     * instant (epoch ms), as {@code offsetsForTimes} finds it; timestamps need not grow with offsets.
     */
    record Time(long epochMillis) implements Until {}

    /** {@code 0:1200,1:1180} (offsets), an epoch in milliseconds, or an ISO-8601 instant such as {@code 2026-11-30T02:00:00Z}. */
    static Until parse(String s) {
      String t = s.trim();
      if (t.matches("\\d+:\\d+(\\s*,\\s*\\d+:\\d+)*")) {
        Map<Integer, Long> m = new TreeMap<>();
        for (String part : t.split(",")) {
          String[] kv = part.trim().split(":");
          if (m.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1])) != null) {
            throw new IllegalArgumentException("--until names partition " + kv[0] + " twice: " + s);
          }
        }
        return new Offsets(m);
      }
      if (t.matches("\\d+")) {
        return new Time(Long.parseLong(t));
      }
      try {
        return new Time(Instant.parse(t).toEpochMilli());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--until takes PARTITION:OFFSET pairs (0:1200,1:1180), epoch milliseconds or an ISO instant "
            + "(2026-11-30T02:00:00Z), not '" + s + "'");
      }
    }
  }

  /** One partition's share of a replay: offsets {@code from} (V's lineage) up to, excluding, {@code until}. */
  public record Range(int partition, long from, long until) {
    public long size() {
      return until - from;
    }
  }

  /** What a replay will do, before it does it. */
  public record Plan(String source, long fromVersion, String target, List<Range> ranges) {
    public long records() {
      return ranges.stream().mapToLong(Range::size).sum();
    }

    public boolean sameModel() {
      return source.equals(target);
    }

    /** For reasons and logs: "records.train 0:[120,1200) 1:[118,1180)". */
    public String describe() {
      StringBuilder sb = new StringBuilder("records.train");
      ranges.forEach(r -> sb.append(' ').append(r.partition()).append(":[").append(r.from()).append(',').append(r.until()).append(')'));
      return sb.toString();
    }
  }

  /**
   * @param published the new version's metadata (its sha256 is the network's)
   * @param current whether it became its model's current version
   * @param gate the gate's verdict against {@code comparedWith}
   */
  public record Result(ModelSnapshot published, boolean current, String gate, long comparedWith, long trained, long skipped) {}

  private final StreamlearnConfig config;
  private final KafkaClients clients;
  private final SnapshotCatalog catalog;
  private final String trainTopic;

  public Retrainer(StreamlearnConfig config) {
    this.config = config;
    this.clients = new KafkaClients(config);
    this.catalog = new SnapshotCatalog(clients);
    this.trainTopic = config.topic(TopicName.TRAIN);
  }

  /** As {@link #plan(String, long, Until, String, boolean)} without forcing the configuration. */
  public Plan plan(String source, long fromVersion, Until until, String target) throws InterruptedException {
    return plan(source, fromVersion, until, target, false);
  }

  /**
   * Resolves the range: V's lineage offsets to {@code until}; fails with the reason when it cannot be replayed as asked.
   *
   * @param forceConfig replay although this configuration's training settings differ from V's (its configHash)
   */
  public Plan plan(String source, long fromVersion, Until until, String target, boolean forceConfig) throws InterruptedException {
    ModelSnapshot meta = catalog.trustedVersions(source).get(fromVersion);
    if (meta == null) {
      throw new IllegalArgumentException("model " + source + " has no version " + fromVersion + " that verifies (see 'streamlearn models list')");
    }
    if (!forceConfig) {
      // Another learning rate, seed, ... would not replay V's training but another one: not what the caller believes.
      String now = ModelUpdater.configHash(config, Trainer.deserialize(catalog.load(source, fromVersion, null).network()));
      if (!now.equals(meta.getConfigHash())) {
        throw new IllegalArgumentException("the training settings here (config hash " + now + ") are not those " + source + " v" + fromVersion
            + " was trained with (" + meta.getConfigHash() + "): pass the updater's settings (" + String.join(", ", ModelUpdater.TRAINING_SETTINGS)
            + ") as it ran, or --force-config to replay under these");
      }
    }
    refuseIfUpdaterRuns(target, source.equals(target));
    List<Range> ranges = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      List<TopicPartition> parts = TopicReader.partitions(consumer, trainTopic);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      Map<TopicPartition, OffsetAndTimestamp> byTime = until instanceof Until.Time t
          ? consumer.offsetsForTimes(parts.stream().collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> t.epochMillis()))) : Map.of();
      if (until instanceof Until.Offsets o) {
        o.next().keySet().stream().filter(p -> parts.stream().noneMatch(tp -> tp.partition() == p)).findFirst().ifPresent(p -> {
          throw new IllegalArgumentException(trainTopic + " has no partition " + p + " (it has " + parts.size() + ")");
        });
      }
      for (TopicPartition tp : parts.stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList()) {
        long from = meta.getOffsets().getOrDefault(tp.toString(), 0L);
        long to;
        if (until instanceof Until.Offsets o) {
          to = o.next().getOrDefault(tp.partition(), from);
        } else {
          to = byTime.get(tp) == null ? end.get(tp) : byTime.get(tp).offset(); // null: no record at or after that time
        }
        if (to < from) {
          if (until instanceof Until.Time) {
            to = from; // V already covers everything before that time on this partition
          } else {
            throw new IllegalArgumentException("partition " + tp.partition() + ": --until " + to + " is before v" + fromVersion + "'s offset " + from
                + " (a replay continues from V's lineage)");
          }
        }
        if (to > end.get(tp)) {
          throw new IllegalArgumentException("partition " + tp.partition() + ": --until " + to + " is past its end " + end.get(tp));
        }
        if (to > from && from < begin.get(tp)) {
          throw new IllegalStateException("partition " + tp.partition() + " now starts at " + begin.get(tp) + " but v" + fromVersion
              + "'s lineage continues at " + from + ": the records in between are gone (retention), so this range cannot be replayed");
        }
        ranges.add(new Range(tp.partition(), from, to));
      }
    }
    return new Plan(source, fromVersion, target, ranges);
  }

  /**
   * The target's updater numbers its versions in memory, so a retrain published beside it could take
   * a number it is about to use: refused whenever the target has a running updater, under its own
   * name or another ({@code --as}).
   */
  private void refuseIfUpdaterRuns(String target, boolean sameModel) throws InterruptedException {
    if (new ModelAdmin(clients).updaterRunning(target)) {
      throw new IllegalStateException("the updater of model " + target + " is running: stop it to publish a retrain as " + target
          + "'s next version, or publish it under " + (sameModel ? "another name" : "a name no updater runs for") + " with --as");
    }
  }

  /** Trains as planned and publishes the new version (one Kafka transaction). {@code progress} gets the offsets consumed as they go. */
  public Result retrain(Plan plan, LongConsumer progress) throws InterruptedException {
    DeterministicMath.pin(config.getLong(SEED));
    Snapshot source = catalog.load(plan.source(), plan.fromVersion(), null);
    DatasetSpec spec = source.meta().getSpec();
    OnlineLearner.Lineage lineage = ModelUpdater.lineage(source.meta());

    // The gate's baseline: what the target serves now, else V itself.
    Optional<ModelPointer> targetPointer = catalog.trustedPointer(plan.target());
    Snapshot baseline = targetPointer.isPresent() ? catalog.load(plan.target(), targetPointer.get().getVersion(), null) : source;
    OnlineLearner learner = ModelUpdater.learner(config, spec, Trainer.deserialize(source.network()), Trainer.deserialize(baseline.network()), lineage);

    long skipped = 0;
    for (Range r : plan.ranges()) {
      skipped += replay(r, spec, learner, progress);
    }
    // The updater rests once its stream pauses; a replay's range ends in a pause of its own, so it rests too (seeded draws:
    // the same range gives the same network), or a retrain of a small data set would serve what one pass learnt.
    while (learner.restStep(Integer.MAX_VALUE) > 0) {
      // until nothing is owed
    }
    fillEvalWindow(learner, spec);
    NormalizerStats global;
    try (NormalizerFollower follower = new NormalizerFollower(clients)) {
      global = follower.global(spec);
    }
    UnaryOperator<double[]> headTransform = new ServingTransform(spec, global)::apply;
    NormalizerStats baseNorm = baseline.meta().getNormalizer();
    UnaryOperator<double[]> baseTransform = baseNorm == null ? headTransform : new ServingTransform(spec, baseNorm)::apply;
    OnlineLearner.Judgement judgement = learner.judge(baseline.version(), headTransform, baseTransform);
    QualityGate.Decision decision = judgement.decision();

    // Published with the target updater's own transactional id: initTransactions() fences an updater
    // that started meanwhile (and one starting later fences this producer, so the commit fails instead
    // of racing it), and two retrains into one target fence each other. The version is numbered only
    // after initTransactions(), which completes any transaction left open under this id, so it sees
    // every version committed before.
    refuseIfUpdaterRuns(plan.target(), plan.sameModel());
    try (KafkaProducer<byte[], byte[]> producer = clients.transactionalProducer(UpdaterGroups.data(config, plan.target()))) {
      producer.initTransactions();
      refuseIfUpdaterRuns(plan.target(), plan.sameModel());
      Optional<ModelPointer> pointerNow = catalog.trustedPointer(plan.target());
      if (!pointerNow.map(ModelPointer::getVersion).equals(targetPointer.map(ModelPointer::getVersion))) {
        throw new IllegalStateException("model " + plan.target() + "'s current version moved during the retrain (from "
            + targetPointer.map(p -> "v" + p.getVersion()).orElse("none") + " to " + pointerNow.map(p -> "v" + p.getVersion()).orElse("none")
            + "), so the gate judged against the wrong baseline; nothing was published");
      }
      long version = VersionNumbers.next(catalog.versions(plan.target()).getOrDefault(plan.target(), new TreeMap<>()), pointerNow);
      ModelSnapshot published = publish(producer, plan, version, source, spec, global, learner, judgement, baseline, targetPointer);
      return new Result(published, published.getStatus() == SnapshotStatus.PROMOTED && !plan.sameModel(), verdictOf(decision, baseline),
          baseline.version(), learner.trained() - lineage.trained(), skipped);
    } catch (ProducerFencedException e) {
      throw new IllegalStateException("another writer of model " + plan.target() + " (its updater, or another retrain into it) took over its "
          + "transactional id during the retrain; nothing was published", e);
    }
  }

  private static String verdictOf(QualityGate.Decision decision, Snapshot baseline) {
    return (decision.promote() ? "promote: " : "hold: ") + decision.reason() + " (against " + baseline.model() + " v" + baseline.version() + ")";
  }

  private ModelSnapshot publish(KafkaProducer<byte[], byte[]> producer, Plan plan, long version, Snapshot source, DatasetSpec spec, NormalizerStats global,
      OnlineLearner learner, OnlineLearner.Judgement judgement, Snapshot baseline, Optional<ModelPointer> targetPointer) {
    QualityGate.Decision decision = judgement.decision();
    String origin = "retrained from " + plan.source() + " v" + plan.fromVersion() + " over " + plan.describe();
    String verdict = verdictOf(decision, baseline);
    boolean current = !plan.sameModel() && decision.promote();
    Map<String, Double> metrics = new TreeMap<>(judgement.metrics());
    metrics.put("retrain_source_version", (double) plan.fromVersion());
    Map<String, Long> offsets = new TreeMap<>(source.meta().getOffsets());
    plan.ranges().forEach(r -> offsets.put(new TopicPartition(trainTopic, r.partition()).toString(), r.until()));
    ModelSnapshot meta = ModelSnapshot.newBuilder(source.meta()).setModel(plan.target()).setVersion(version)
        .setParentVersion(plan.sameModel() ? plan.fromVersion() : null).setCreatedAt(System.currentTimeMillis())
        .setStatus(current ? SnapshotStatus.PROMOTED : SnapshotStatus.HELD)
        .setHoldReason(current ? null : origin + "; not made current" + (plan.sameModel() ? " by a retrain ('models rollback --to " + version + "' does)" : "")
            + "; gate: " + verdict)
        .setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(0).setSha256("").setSpec(spec).setNormalizer(global)
        .setOffsets(offsets).setTrainedRecords(learner.trained()).setSyntheticRecords(learner.synthetic())
        .setConfigHash(ModelUpdater.configHash(config, learner.network())).setMetrics(metrics).setSignature("").build();
    List<ModelSnapshot> chunks = SnapshotChunker.split(meta, learner.serialize(), config.getInt(CHUNK_BYTES));
    ModelPointer pointer = !current ? null : ModelPointer.newBuilder().setModel(plan.target()).setVersion(version).setHead(version).setLastVersion(version)
        .setPreviousVersion(targetPointer.map(ModelPointer::getVersion).orElse(null)).setReason(origin + "; promoted: " + decision.reason())
        .setUpdatedAt(System.currentTimeMillis()).build();
    new SnapshotPublisher(producer, config).commit(chunks, pointer, null, null);
    return ModelSnapshot.newBuilder(chunks.get(0)).setChunk(ByteBuffer.allocate(0)).build();
  }

  /** Feeds one partition's range to the learner in offset order; returns how many records were skipped (undecodable or not fitting the spec). */
  private long replay(Range r, DatasetSpec spec, OnlineLearner learner, LongConsumer progress) {
    if (r.size() == 0) {
      return 0;
    }
    SpecFeed feed = new SpecFeed(spec);
    long skipped = 0;
    Duration patience = Duration.ofMillis(config.getLong(READ_TIMEOUT_MS));
    TopicPartition tp = new TopicPartition(trainTopic, r.partition());
    // No offset reset: were the range's start deleted meanwhile (retention), "earliest" would silently
    // start later while the published lineage claims the whole range. Fail instead.
    Map<String, Object> props = new java.util.HashMap<>(clients.consumerProps(null));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, r.from());
      long position = r.from();
      long lastProgress = System.nanoTime();
      while (position < r.until()) {
        org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> polled;
        try {
          polled = consumer.poll(Duration.ofMillis(200));
        } catch (OffsetOutOfRangeException e) {
          long start = consumer.beginningOffsets(List.of(tp)).get(tp);
          throw new IllegalStateException(tp + " now starts at " + start + " but the replay needs offset " + position + " (range " + r.from() + ".."
              + r.until() + "): the records in between are gone (retention), so this range cannot be replayed; nothing was published", e);
        }
        for (ConsumerRecord<byte[], byte[]> rec : polled) {
          if (rec.offset() >= r.until()) {
            break;
          }
          if (!learn(rec, feed, learner)) {
            skipped++;
          }
        }
        long now = Math.min(consumer.position(tp), r.until()); // read_committed: transaction markers and aborted records are passed over
        if (now > position) {
          progress.accept(now - position);
          position = now;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > patience.toNanos()) {
          throw new IllegalStateException("reading " + tp + " made no progress for " + patience.toMillis() + " ms at offset " + position);
        }
      }
    }
    return skipped;
  }

  /** As the updater's handling of a training record: undecodable records and records that do not fit the spec are skipped. */
  private static boolean learn(ConsumerRecord<byte[], byte[]> rec, SpecFeed feed, OnlineLearner learner) {
    if (rec.value() == null) {
      return false;
    }
    ProcessedRecord p;
    try {
      p = UntrustedBytes.decode(Avro.PROCESSED, rec.value());
    } catch (RuntimeException e) {
      return false;
    }
    return feed.learn(p, learner).carrierFits(); // a misfit skips what it carries too, as the updater does
  }

  /** The newest eval-window's worth of records.eval, partition by partition, as the gate's evidence. */
  private void fillEvalWindow(OnlineLearner learner, DatasetSpec spec) {
    SpecFeed feed = new SpecFeed(spec);
    String evalTopic = config.topic(TopicName.EVAL);
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      List<TopicPartition> parts = TopicReader.partitions(consumer, evalTopic);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      Map<TopicPartition, Long> end = new java.util.HashMap<>(consumer.endOffsets(parts));
      consumer.assign(parts);
      parts.forEach(tp -> consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - learner.evalCapacity())));
      long deadline = System.nanoTime() + Duration.ofMillis(config.getLong(READ_TIMEOUT_MS)).toNanos();
      while (!TopicReader.caughtUp(consumer, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
          ProcessedRecord p;
          try {
            p = UntrustedBytes.decode(Avro.PROCESSED, rec.value());
          } catch (RuntimeException e) {
            continue; // a tombstone or junk: the updater quarantines it, the gate never sees it
          }
          feed.eval(p, learner, rec.partition(), rec.offset()); // as the updater: a record that does not fit the spec is passed over
        }
      }
    }
  }
}
