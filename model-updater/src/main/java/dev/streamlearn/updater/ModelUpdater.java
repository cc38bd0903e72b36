package dev.streamlearn.updater;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.avro.CommandType;
import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.PinnedSpec;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.updater.snapshot.SnapshotCache;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.updater.snapshot.SnapshotPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import dev.streamlearn.client.Network;
import dev.streamlearn.client.ServingTransform;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model updater's Kafka shell: feeds records.train and records.eval to an {@link OnlineLearner}
 * (which trains, evaluates and gates, with no Kafka in it), and every N records or T seconds
 * publishes its network as a versioned snapshot.
 *
 * <p>Exactly-once: a snapshot's chunks, the pointer on model.current and the consumer offsets the
 * snapshot covers are committed in one Kafka transaction. After a crash the updater restores the
 * pointer's training head and resumes from the offsets committed with it, so every training record
 * is learnt exactly once along a lineage. Rollback commands on model.commands are processed in the
 * same stream, so a restart never replays or forgets one.
 */
public final class ModelUpdater implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelUpdater.class);
  /** The fit thread's name ({@code updater.fit.thread}), followed by the model's. */
  public static final String FIT_THREAD_PREFIX = "streamlearn-fit-";

  private final StreamlearnConfig config;
  private final KafkaClients clients;
  private final Consumer<SnapshotEvent> listener;
  private final String model;
  private final String trainTopic;
  private final String evalTopic;
  private final String commandsTopic;
  private final String dataGroup;
  private final SnapshotCatalog catalog;
  private SnapshotCache cache;
  private final Quarantine quarantine;

  private DatasetSpec spec;
  private SpecFeed feed;
  private OnlineLearner learner;
  private long servingVersion = -1;
  /** The normalizer statistics the served version carries: what it is scored with, as services are served with them. */
  private NormalizerStats servingNormalizer;
  private long headVersion = -1;
  private long nextVersion = 1;
  /**
   * When the first training record the next snapshot will cover was learnt: the time trigger counts from it, not from
   * the last snapshot, so an updater that sat idle (at start, or between bursts) does not publish a version of one record.
   */
  private long pendingSinceNanos;
  /** When the last training record was learnt (or the updater started): training at rest waits for updater.rest.idle.ms after it. */
  private long lastLearntNanos = System.nanoTime();
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  /** Per eval partition, the committed offset that {@link #rewindEval} re-reads up to: records before it were handled by an earlier run. */
  private final Map<TopicPartition, Long> rereadUntil = new HashMap<>();
  /** Metadata of every complete version of this model, so a rollback finds its target in the cache without reading the topic. */
  private final TreeMap<Long, ModelSnapshot> known = new TreeMap<>();
  // Volatile: read by a metrics scrape on another thread (clientMetrics).
  private volatile KafkaProducer<byte[], byte[]> producer;
  private volatile KafkaConsumer<byte[], byte[]> dataConsumer;
  private SnapshotPublisher publisher;
  private NormalizerFollower normalizer;
  /** Records skipped for not fitting the spec, since start ({@link #warnMisfit}). */
  private long misfits;
  /** Misfits counted when the pinned spec was last read ({@link #maybeRecheckSpec}), and when. */
  private long misfitsAtSpecCheck;
  private long specCheckedNanos;

  public ModelUpdater(StreamlearnConfig config, Consumer<SnapshotEvent> listener) {
    this.config = config;
    this.clients = new KafkaClients(config);
    this.listener = listener;
    this.model = config.getString(MODEL_NAME);
    this.trainTopic = config.topic(TopicName.TRAIN);
    this.evalTopic = config.topic(TopicName.EVAL);
    this.commandsTopic = config.topic(TopicName.COMMANDS);
    this.dataGroup = UpdaterGroups.data(config, model);
    this.catalog = new SnapshotCatalog(clients);
    this.quarantine = new Quarantine(clients);
  }

  /** Transactional id: one per model and pipeline, so a second instance fences the first. */
  public String transactionalId() {
    return dataGroup;
  }

  /**
   * The metrics of the Kafka clients this instance runs now, its transactional producer and its data consumer (none
   * while it waits for the leadership): what an exporter publishes beside the updater's own metrics.
   */
  public Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> clientMetrics() {
    Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> all = new HashMap<>();
    KafkaProducer<byte[], byte[]> p = producer;
    KafkaConsumer<byte[], byte[]> c = dataConsumer;
    try {
      if (p != null) {
        all.putAll(p.metrics());
      }
      if (c != null) {
        all.putAll(c.metrics());
      }
    } catch (IllegalStateException closedMeanwhile) {
      // a client closed between the read of its field and this call (leadership lost): nothing to report this time
    }
    return all;
  }

  /** Runs until {@code stop} is set; throws if fenced by another instance or on a Kafka error (restart resumes exactly). */
  public void run(AtomicBoolean stop) throws InterruptedException {
    spec = awaitSpec(stop);
    if (spec == null) {
      return;
    }
    feed = new SpecFeed(spec);
    try (LeaderLock lock = new LeaderLock(clients, dataGroup + ".leader", commandsTopic)) {
      boolean announced = false;
      while (!lock.awaitLeadership(Duration.ofMillis(500))) {
        if (stop.get()) {
          return;
        }
        if (!announced) {
          listener.accept(new SnapshotEvent.Waiting(model));
          announced = true;
        }
      }
      try {
        // Opened only by the leader, and closed (finally, below) before the lock is released: a waiting
        // instance sharing the directory must never meet RocksDB's file lock.
        cache = SnapshotCache.open(Path.of(config.getString(CACHE_DIR)).resolve(config.getString(TOPIC_PREFIX) + model), Duration.ofSeconds(30));
        producer = clients.transactionalProducer(transactionalId());
        producer.initTransactions();
        publisher = new SnapshotPublisher(producer, config);
        Map<String, Object> dataProps = new HashMap<>(clients.consumerProps(dataGroup));
        dataProps.putIfAbsent(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000); // fewer loop turns per mini-batch
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(dataProps, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer()); NormalizerFollower follower = new NormalizerFollower(clients)) {
          normalizer = follower;
          dataConsumer = consumer;
          resume(consumer);
          long lockCheckedNanos = 0;
          int notLeader = 0;
          while (!stop.get()) {
            if (System.nanoTime() - lockCheckedNanos > 1_000_000_000L) { // once a second is plenty for a 10 s session timeout
              // A rebalance can empty the assignment for a moment; only a lasting loss means another instance leads
              // (and its initTransactions() has fenced this one's producer anyway).
              notLeader = lock.isLeader() ? 0 : notLeader + 1;
              if (notLeader >= 3) {
                throw new IllegalStateException("lost the leadership of model " + model + " to another updater");
              }
              lockCheckedNanos = System.nanoTime();
            }
            // Per training record, so a large poll never stretches a snapshot past its size.
            handlePoll(consumer.poll(Duration.ofMillis(resting() ? 0 : 200)), evalTopic, this::handle, () -> maybeSnapshot(consumer));
            maybeSnapshot(consumer); // and by time when nothing arrives
            maybeRest(consumer);
            maybeRecheckSpec();
          }
        }
      } finally {
        // Closed here, inside the lock's scope: the next leader must never find RocksDB's file lock held.
        closeLeaderResources();
      }
    } catch (ProducerFencedException e) {
      throw new IllegalStateException("another updater of model " + model + " took over (fenced): " + e.getMessage(), e);
    }
  }

  /** The consumed positions as the snapshot records them: "topic-partition" to the next offset. */
  private Map<String, Long> offsetsByPartition() {
    Map<String, Long> offsets = new TreeMap<>();
    positions.forEach((tp, o) -> offsets.put(tp.toString(), o));
    return offsets;
  }

  private void closeLeaderResources() {
    dataConsumer = null;
    if (learner != null) {
      learner.close();
      learner = null;
    }
    quarantine.close();
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
    if (cache != null) {
      cache.close();
      cache = null;
    }
  }

  private DatasetSpec awaitSpec(AtomicBoolean stop) throws InterruptedException {
    while (!stop.get()) {
      Optional<DatasetSpec> s = PinnedSpec.read(clients);
      if (s.isPresent()) {
        return s.get();
      }
      log.info("waiting for the streams app to pin the dataset spec on {}", config.topic(TopicName.STATS));
      Thread.sleep(1000); // nothing to await on but the topic's content; re-read it
    }
    return null;
  }

  private void resume(KafkaConsumer<byte[], byte[]> consumer) {
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(trainTopic, evalTopic, commandsTopic)) {
      parts.addAll(TopicReader.partitions(consumer, t));
    }
    consumer.assign(parts);
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(parts));
    for (TopicPartition tp : parts) {
      OffsetAndMetadata om = committed.get(tp);
      if (om != null) {
        consumer.seek(tp, om.offset());
      } else if (tp.topic().equals(commandsTopic)) {
        consumer.seekToEnd(List.of(tp)); // commands from before this updater ever ran do not apply
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
      positions.put(tp, consumer.position(tp));
    }
    known.putAll(catalog.trustedVersions(model));
    Optional<ModelPointer> pointer = catalog.trustedPointer(model);
    nextVersion = VersionNumbers.next(known, pointer);
    if (pointer.isPresent()) {
      ModelPointer p = pointer.get();
      headVersion = p.getHead() >= 0 ? p.getHead() : p.getVersion();
      Snapshot head = catalog.load(model, headVersion, known.get(headVersion), cache);
      refuseOtherColumns(head.meta().getSpec(), spec, headVersion);
      Network headNet = Trainer.deserialize(head.network());
      String hashNow = configHash(config, headNet);
      if (!hashNow.equals(head.meta().getConfigHash())) {
        // After an upgrade that changed defaults, or a changed -D: the network cannot change shape mid-lineage.
        log.warn("model {}: the training settings here (config hash {}) are not those v{} was trained with ({}): training goes on with v{}'s "
            + "network as it is (its layers, their L2 and dropout), the other updater.* settings apply from now on; for a network built "
            + "from these settings, train another model (model.name)", model, hashNow, headVersion, head.meta().getConfigHash(), headVersion);
      }
      servingVersion = p.getVersion();
      Snapshot served = servingVersion == headVersion ? head : catalog.load(model, servingVersion, known.get(servingVersion), cache);
      Network serving = servingVersion == headVersion ? headNet.copy() : Trainer.deserialize(served.network());
      servingNormalizer = served.meta().getNormalizer();
      learner = newLearner(headNet, serving, lineage(head.meta()));
    } else {
      learner = newLearner(ModelFactory.create(config, spec.getFeatures().size(), spec.getLabels().size()), null, OnlineLearner.Lineage.EMPTY);
    }
    rewindEval(consumer, committed);
    listener.accept(new SnapshotEvent.Resumed(model, headVersion, servingVersion, offsetsByPartition()));
  }

  /**
   * The eval window lives in memory, and its records' offsets are committed: without this, a restart
   * would judge its first snapshots on an empty or tiny window. Each eval partition is re-read from up
   * to a window's worth of records before its committed offset (the window then keeps the newest), while
   * {@link #positions} stay at the committed offsets, so what a snapshot commits never moves back.
   */
  private void rewindEval(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> committed) {
    List<TopicPartition> eval = committed.entrySet().stream().filter(e -> e.getValue() != null && e.getKey().topic().equals(evalTopic))
        .map(Map.Entry::getKey).toList();
    Map<TopicPartition, Long> beginning = consumer.beginningOffsets(eval);
    for (TopicPartition tp : eval) {
      consumer.seek(tp, Math.max(beginning.get(tp), committed.get(tp).offset() - learner.evalCapacity()));
      rereadUntil.put(tp, committed.get(tp).offset());
    }
  }

  private OnlineLearner newLearner(Network head, Network serving, OnlineLearner.Lineage lineage) {
    OnlineLearner l = learner(config, spec, head, serving, lineage);
    // Not in Retrainer's learner: a replay fits on its own (pinned) thread, so its dropout masks repeat bit for bit.
    return config.getBoolean(FIT_THREAD) ? l.withFitThread(FIT_THREAD_PREFIX + model, config.getLong(SEED)) : l;
  }

  /** How the configuration becomes a learner, shared with {@link Retrainer} so that a replay trains exactly as the updater does. */
  static OnlineLearner learner(StreamlearnConfig config, DatasetSpec spec, Network head, Network serving,
      OnlineLearner.Lineage lineage) {
    return new OnlineLearner(head, serving, lineage, spec.getLabels(), QualityGate.from(config), config.getInt(BATCH_SIZE), config.getInt(EVAL_WINDOW),
        config.getDouble(AVERAGE_DECAY))
        .withReplay(new ReplayBuffer(config.getInt(REPLAY_BUFFER), config.getLong(SEED) ^ lineage.trained()), config.getInt(REPLAY_BATCHES))
        .withRest(new OnlineLearner.Rest(config.getInt(REST_EPOCHS), config.getLong(REST_MAX_RECORDS)));
  }

  static OnlineLearner.Lineage lineage(ModelSnapshot meta) {
    return new OnlineLearner.Lineage(meta.getTrainedRecords(), meta.getSyntheticRecords(), meta.getMetrics());
  }

  /**
   * A network cannot change its inputs or its classes: its input layer has one unit per feature of the spec it was
   * trained on, its output one per label, in their order. A pinned spec with other lists (after a {@code replay
   * --respec}) fed to this lineage would fail DL4J at the first mini-batch (seen: DL4JInvalidInputException, and
   * the same again at every restart), or, with as many columns under other names, train on the wrong ones.
   */
  private void refuseOtherColumns(DatasetSpec trainedOn, DatasetSpec pinned, long version) {
    if (PinnedSpec.sameColumns(trainedOn, pinned)) {
      return;
    }
    throw new org.apache.kafka.common.config.ConfigException("model " + model + " is trained on features=" + trainedOn.getFeatures()
        + " labels=" + trainedOn.getLabels() + (version < 0 ? "" : " (v" + version + ")") + ", but the dataset spec pinned on "
        + config.topic(TopicName.STATS) + " is now features=" + pinned.getFeatures() + " labels=" + pinned.getLabels()
        + ": a network cannot change its inputs or its classes. Train another model on the new spec (another model.name), "
        + "or pin the old spec again ('streamlearn replay --respec --yes', then the streams app with the old features= and labels=)");
  }

  /**
   * Records of another shape than the spec (an earlier spec's, left on the topics by a replay without
   * --truncate-outputs) can number millions: the first ten are logged, then every power of ten, with the count.
   */
  private void warnMisfit(String format, Object... args) {
    misfits++;
    long n = misfits;
    while (n > 10 && n % 10 == 0) {
      n /= 10;
    }
    if (misfits <= 10 || n == 10) {
      log.warn(format + (misfits < 10 ? "" : " (" + misfits + " records skipped so far for not fitting the spec; this line is logged at 10, 100, 1000, ...)"), args);
    }
  }

  /**
   * Records that do not fit may be the first of a new spec (a replay with --respec under a running updater): with no
   * record learnt there is no snapshot, where the pinned spec is otherwise read, so it is read here, at most every 5 s
   * and only after new misfits, and a spec with other columns stops the updater as at a snapshot.
   */
  private void maybeRecheckSpec() {
    if (misfits == misfitsAtSpecCheck || System.nanoTime() - specCheckedNanos < 5_000_000_000L) {
      return;
    }
    misfitsAtSpecCheck = misfits;
    specCheckedNanos = System.nanoTime();
    normalizer.global(spec); // reads the stats topic to its end, the pinned spec with it
    normalizer.pinnedSpec().ifPresent(pinned -> refuseOtherColumns(spec, pinned, headVersion));
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    // Re-read to restore the eval window (rewindEval): a poison record there was quarantined when first read.
    boolean firstReading = r.offset() >= rereadUntil.getOrDefault(tp, 0L);
    // max: the eval catch-up before a snapshot may have read past records of an earlier poll still being handled
    positions.merge(tp, r.offset() + 1, Math::max);
    if (r.topic().equals(commandsTopic)) {
      ModelCommand cmd = quarantine.decode(r, Avro.COMMAND);
      if (cmd != null && cmd.getModel().equals(model) && cmd.getType() == CommandType.ROLLBACK) {
        rollback(cmd);
      }
      return;
    }
    ProcessedRecord p = quarantine.decode(r, Avro.PROCESSED, firstReading);
    if (p == null) {
      return;
    }
    if (r.topic().equals(evalTopic)) {
      if (!feed.eval(p, learner, r.partition(), r.offset())) {
        warnMisfit("skipping {} at {}: {} features / label {} do not fit the spec", p.getId(), tp, p.getFeatures().size(), p.getLabel());
      }
      return;
    }
    boolean firstSinceSnapshot = learner.trainedSinceSnapshot() == 0;
    long learntAt = System.nanoTime(); // before learning: learnOne may fit a mini-batch
    SpecFeed.Learnt learnt = feed.learn(p, learner);
    if (!learnt.carrierFits()) {
      // What it carries was made from it: none of it is learnt either.
      warnMisfit("skipping {} at {} and the {} synthetic records it carries: {} features / label {} do not fit the spec", p.getId(), tp,
          p.getSynthetics().size(), p.getFeatures().size(), p.getLabel());
      return;
    }
    if (firstSinceSnapshot) {
      pendingSinceNanos = learntAt; // the first records the next snapshot will cover
    }
    lastLearntNanos = learntAt;
    if (learnt.carriedMisfits() > 0) {
      warnMisfit("skipping {} of the {} synthetic records {} at {} carries: their features / label do not fit the spec", learnt.carriedMisfits(),
          p.getSynthetics().size(), p.getId(), tp);
    }
  }

  /**
   * Reads records.eval up to its current end before a snapshot, with the other partitions paused, so
   * the metrics and the gate judge the newest eval window however the fetches interleaved.
   */
  private void catchUpEval(KafkaConsumer<byte[], byte[]> consumer) {
    List<TopicPartition> others = consumer.assignment().stream().filter(tp -> !tp.topic().equals(evalTopic)).toList();
    List<TopicPartition> eval = consumer.assignment().stream().filter(tp -> tp.topic().equals(evalTopic)).toList();
    Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(eval));
    consumer.pause(others);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      boolean caughtUp;
      while (!(caughtUp = TopicReader.caughtUp(consumer, end)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          handle(r);
        }
      }
      if (!caughtUp) {
        log.warn("model {}: reading {} up to its end before snapshot v{} took over 10 s ({} still short of it): the snapshot is judged on "
            + "the eval window as it stands", model, evalTopic, nextVersion, end.keySet());
      }
    } finally {
      consumer.resume(others);
    }
  }

  /**
   * Handles a poll's records: those of {@code evalTopic} first, then the others in the order the poll gave them,
   * checking for a snapshot after each of those only. The consumer's position has already passed every record a
   * poll returned, so {@link #catchUpEval} counts the batch's eval records as read: a snapshot checked before they
   * are all handled (after a training record ahead of them, or after the first of them once the time trigger is
   * due) would be judged without them; on a first poll whose training partitions came first, without any.
   */
  static <K, V> void handlePoll(ConsumerRecords<K, V> polled, String evalTopic, Consumer<ConsumerRecord<K, V>> handle,
      Runnable afterOther) {
    for (ConsumerRecord<K, V> r : polled.records(evalTopic)) {
      handle.accept(r);
    }
    for (TopicPartition tp : polled.partitions()) {
      if (!tp.topic().equals(evalTopic)) {
        for (ConsumerRecord<K, V> r : polled.records(tp)) {
          handle.accept(r);
          afterOther.run();
        }
      }
    }
  }

  private void maybeSnapshot(KafkaConsumer<byte[], byte[]> consumer) {
    if (shouldSnapshot()) {
      catchUpEval(consumer);
      publishSnapshot();
    }
  }

  private boolean shouldSnapshot() {
    if (learner.trainedSinceSnapshot() == 0 || resting()) {
      return false; // a rest publishes its own snapshot when done (maybeRest): none of a half-rested network
    }
    return learner.trainedSinceSnapshot() >= config.getLong(SNAPSHOT_EVERY_RECORDS)
        || System.nanoTime() - pendingSinceNanos >= Duration.ofMillis(config.getLong(SNAPSHOT_EVERY_MS)).toNanos();
  }

  /** No training record for updater.rest.idle.ms, and training at rest still owes fits. */
  private boolean resting() {
    return System.nanoTime() - lastLearntNanos >= Duration.ofMillis(config.getLong(REST_IDLE_MS)).toNanos() && learner.restOwed() > 0;
  }

  /**
   * Trains at rest a slice at a time (a few mini-batches, so polls go on: a record that arrives ends the rest, a rollback is
   * taken at once), and publishes a snapshot when the rest is done: the versions a service follows then cover what the
   * epochs over the replay reservoir made of the records, not only their one pass.
   */
  private void maybeRest(KafkaConsumer<byte[], byte[]> consumer) {
    if (!resting()) {
      return;
    }
    learner.restStep(OnlineLearner.REST_SLICE_BATCHES);
    if (learner.restOwed() == 0 && learner.restedSinceSnapshot()) { // a flush alone (no rest needed) waits for the usual triggers
      catchUpEval(consumer);
      publishSnapshot();
    }
  }

  private void publishSnapshot() {
    // Each model is scored as it is served: the head through the merged statistics this snapshot will carry, the served
    // version through its own. judge() first fits what is buffered: the snapshot covers every record consumed.
    NormalizerStats global = normalizer.global(spec);
    DatasetSpec pinned = normalizer.pinnedSpec().orElse(spec);
    refuseOtherColumns(spec, pinned, headVersion);
    if (!pinned.equals(spec)) {
      // The streams app re-pinned the transform policies (a restart with another clip, 'missing' or range): training
      // follows them from now on, so this snapshot, its serving transform and its scoring do too.
      log.info("model {}: the pinned spec's policies changed (missing={}, extra={}, clipK={}, featureMaxAbs={})", model, pinned.getMissing(),
          pinned.getExtra(), pinned.getClipK(), pinned.getFeatureMaxAbs());
      spec = pinned;
      feed = new SpecFeed(spec);
      global = normalizer.global(spec);
    }
    UnaryOperator<double[]> headTransform = new ServingTransform(spec, global)::apply;
    UnaryOperator<double[]> servedTransform = servingNormalizer == null ? headTransform : new ServingTransform(spec, servingNormalizer)::apply;
    OnlineLearner.Judgement judgement = learner.judge(servingVersion, headTransform, servedTransform);
    QualityGate.Decision decision = judgement.decision();
    long version = nextVersion;
    Map<String, Double> metrics = judgement.metrics();
    ModelSnapshot meta = ModelSnapshot.newBuilder().setModel(model).setVersion(version).setParentVersion(headVersion < 0 ? null : headVersion)
        .setCreatedAt(System.currentTimeMillis()).setStatus(decision.promote() ? SnapshotStatus.PROMOTED : SnapshotStatus.HELD)
        .setHoldReason(decision.promote() ? null : decision.reason()).setChunkIndex(0).setChunkCount(1).setChunk(java.nio.ByteBuffer.allocate(0))
        .setSizeBytes(0).setSha256("").setSpec(spec).setNormalizer(global).setOffsets(offsetsByPartition()).setTrainedRecords(learner.trained())
        .setSyntheticRecords(learner.synthetic()).setConfigHash(configHash()).setMetrics(metrics).build();
    byte[] network = learner.serialize();
    List<ModelSnapshot> chunks = SnapshotChunker.split(meta, network, config.getInt(CHUNK_BYTES));
    long newServing = decision.promote() ? version : servingVersion;
    ModelPointer pointer = ModelPointer.newBuilder().setModel(model).setVersion(newServing).setHead(version).setLastVersion(version)
        .setPreviousVersion(servingVersion < 0 ? null : servingVersion).setReason(decision.promote() ? "promoted: " + decision.reason() : "held v" + version + ": " + decision.reason())
        .setUpdatedAt(System.currentTimeMillis()).build();
    long t0 = System.nanoTime();
    commit(chunks, pointer);
    long publishMs = (System.nanoTime() - t0) / 1_000_000;
    cache.put(model, version, network);
    known.put(version, ModelSnapshot.newBuilder(chunks.get(0)).setChunk(java.nio.ByteBuffer.allocate(0)).build());
    if (decision.promote()) {
      learner.promote();
      servingVersion = version;
      servingNormalizer = global;
    }
    headVersion = version;
    nextVersion = version + 1;
    learner.snapshotTaken();
    ModelSnapshot published = ModelSnapshot.newBuilder(chunks.get(0)).setChunk(java.nio.ByteBuffer.allocate(0)).build();
    listener.accept(new SnapshotEvent.Published(published, servingVersion, decision.reason(), publishMs, learner.samplesPerSecond()));
  }

  private void commit(List<ModelSnapshot> chunks, ModelPointer pointer) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    positions.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
    publisher.commit(chunks, pointer, offsets, dataGroup);
  }

  private void rollback(ModelCommand cmd) {
    long target = cmd.getVersion();
    Snapshot s;
    try {
      s = catalog.load(model, target, known.get(target), cache);
    } catch (RuntimeException e) {
      log.error("ignoring rollback of {} to v{}: {}", model, target, e.getMessage());
      return;
    }
    long from = servingVersion;
    // What was consumed but not snapshotted belongs to the abandoned lineage: V learns only what comes next.
    learner.restart(Trainer.deserialize(s.network()), lineage(s.meta()));
    servingVersion = target;
    servingNormalizer = s.meta().getNormalizer();
    headVersion = target;
    String reason = "rollback to v" + target + (cmd.getReason().isEmpty() ? "" : ": " + cmd.getReason());
    ModelPointer pointer = ModelPointer.newBuilder().setModel(model).setVersion(target).setHead(target).setLastVersion(nextVersion - 1)
        .setPreviousVersion(from < 0 ? null : from).setReason(reason).setUpdatedAt(System.currentTimeMillis()).build();
    commit(List.of(), pointer);
    listener.accept(new SnapshotEvent.RolledBack(model, from, target, reason));
  }

  private String configHash() {
    return configHash(config, learner.network());
  }

  /**
   * The settings that decide what training makes of the records, as {@link #configHash} counts them: every
   * {@code updater.*} setting but the snapshot cadence, the gate, the eval window, the cache, the idle time before a
   * rest and the fit thread (they decide when and whether a version is published, where it is kept or which thread fits,
   * not what it learns). Derived from the
   * declared settings, so a new training setting is counted without being listed here.
   */
  static final List<String> TRAINING_SETTINGS = StreamlearnConfig.DEF.names().stream()
      .filter(k -> k.startsWith("updater.") && !k.startsWith("updater.gate.") && !k.startsWith("updater.snapshot.")
          && !k.equals(EVAL_WINDOW) && !k.equals(CACHE_DIR) && !k.equals(REST_IDLE_MS) && !k.equals(FIT_THREAD))
      .sorted().toList();

  /**
   * The hash a snapshot records of how it was trained: the effective value of each training setting
   * (set or default alike, so spelling a default out changes nothing) and the network's layer
   * configuration. {@code models retrain} compares it to refuse replaying under other settings.
   */
  static String configHash(StreamlearnConfig config, Network network) {
    StringBuilder sb = new StringBuilder();
    Map<String, ?> values = config.values();
    // With training at rest off, its settings change nothing: left out, so that versions made before they existed
    // (whose hash could not count them) hash the same under -D updater.rest.epochs=0.
    boolean resting = config.getInt(REST_EPOCHS) > 0;
    TRAINING_SETTINGS.stream().filter(k -> resting || !k.startsWith("updater.rest."))
        .forEach(k -> sb.append(k).append('=').append(values.get(k)).append('\n'));
    sb.append(network.configurationJson());
    return Snapshot.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  @Override
  public void close() {
    closeLeaderResources(); // normally already done when run() returns
  }
}
