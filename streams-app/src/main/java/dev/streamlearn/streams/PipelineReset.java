package dev.streamlearn.streams;

import dev.streamlearn.core.Dirs;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.PinnedSpec;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Resets the preprocessing app so that it processes records.raw again from a point in time, for
 * operators who fixed something (a cleaning rule, the spec) and want the outputs rebuilt. What Kafka's
 * own application reset tool does for Streams apps (internal topics, group offsets, local state),
 * plus what streamlearn keeps around them: the per-partition reports on the stats topic, optionally
 * the pinned spec, and optionally the data already on the output topics. Every instance must be
 * stopped; nothing is changed unless {@link #execute()} is called.
 */
public final class PipelineReset {

  /** What a reset will do, for the operator to read before confirming. */
  public record Plan(String applicationId, Map<TopicPartition, Long> rawOffsets, List<String> internalTopics, Set<String> reportKeys,
      Map<TopicPartition, Long> truncateTo, boolean respec, Path localState) {}

  private final KafkaClients clients;
  private final StreamlearnConfig config;
  private final Instant from;
  private final boolean truncateOutputs;
  private final boolean respec;

  /** @param from replay records appended at or after this time; null: from the beginning */
  public PipelineReset(KafkaClients clients, Instant from, boolean truncateOutputs, boolean respec) {
    this.clients = clients;
    this.config = clients.config();
    this.from = from;
    this.truncateOutputs = truncateOutputs;
    this.respec = respec;
  }

  public Plan plan() throws Exception {
    String app = config.applicationId();
    try (Admin admin = clients.admin(); KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      var groups = admin.describeConsumerGroups(List.of(app)).all().get();
      int members = groups.get(app).members().size();
      if (members > 0) {
        throw new IllegalStateException("the streams app " + app + " still has " + members + " running instance(s): stop every one first");
      }
      List<TopicPartition> raw = TopicReader.partitions(consumer, config.topic(TopicName.RAW));
      Map<TopicPartition, Long> offsets = new HashMap<>();
      if (from == null) {
        offsets.putAll(consumer.beginningOffsets(raw));
      } else {
        Map<TopicPartition, Long> query = new HashMap<>();
        raw.forEach(tp -> query.put(tp, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> end = consumer.endOffsets(raw);
        raw.forEach(tp -> offsets.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset()));
      }
      List<String> internal = admin.listTopics().names().get().stream()
          .filter(t -> isInternal(app, t)).sorted().toList();
      Set<String> reports = new LinkedHashSet<>();
      new TopicReader(clients).readAll(config.topic(TopicName.STATS), r -> {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        if (key.startsWith("clean-") || key.startsWith("prep-")) {
          reports.add(key);
        }
      });
      Map<TopicPartition, Long> truncate = new HashMap<>();
      if (truncateOutputs) {
        for (TopicName t : List.of(TopicName.CLEAN, TopicName.TRAIN, TopicName.EVAL, TopicName.DLQ)) {
          truncate.putAll(consumer.endOffsets(TopicReader.partitions(consumer, config.topic(t))));
        }
      }
      Path state = Path.of(config.getString(StreamlearnConfig.STATE_DIR)).resolve(app);
      return new Plan(app, offsets, internal, reports, truncate, respec, Files.exists(state) ? state : null);
    }
  }

  /**
   * A Streams internal topic of application {@code app}: its state stores' changelogs and its repartition topics (their
   * names, from {@link Stores} and the topology, have no dot).
   */
  static boolean isInternal(String app, String topic) {
    // No dot after the application id: another pipeline's ids ("<prefix>preprocess-eu.preprocess") start alike.
    return topic.startsWith(app + "-") && topic.indexOf('.', app.length()) < 0 && (topic.endsWith("-changelog") || topic.endsWith("-repartition"));
  }

  /** How long a deleted topic may still be listed before the reset gives up. */
  static final java.time.Duration DELETION_PATIENCE = java.time.Duration.ofSeconds(60);

  /**
   * A deletion is acknowledged before the brokers' metadata forgets the topic. An app started at once could find its old
   * repartition topic still there, with the partition count it had (the very thing a replay after adding partitions to
   * records.raw is for), and fail its stream threads; so the reset goes on only once the broker it asks no longer lists
   * them. A name listed with another topic id was created again since: an instance is running.
   */
  private static void awaitGone(Admin admin, List<String> topics, Map<String, org.apache.kafka.common.Uuid> deletedIds) throws Exception {
    long deadline = System.nanoTime() + DELETION_PATIENCE.toNanos();
    while (true) {
      List<String> left = new ArrayList<>();
      for (var l : admin.listTopics().listings().get()) {
        if (topics.contains(l.name())) {
          if (!l.topicId().equals(deletedIds.get(l.name()))) {
            throw new IllegalStateException("the reset is incomplete: topic " + l.name() + " was created again while it ran, so an "
                + "instance of the streams app is running; stop every instance and run the replay again");
          }
          left.add(l.name());
        }
      }
      if (left.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the reset is incomplete: topics deleted " + DELETION_PATIENCE.toSeconds() + " s ago are still listed "
            + left + "; the input offsets and counters were not reset yet: run the replay again");
      }
      Thread.sleep(100); // polling the broker's topic list: there is no notification of a completed deletion to wait on
    }
  }

  /** Carries out the plan; returns it. */
  public Plan execute() throws Exception {
    Plan plan = plan();
    try (Admin admin = clients.admin()) {
      // The group goes first: its committed offsets on the repartition topics must not outlive them.
      admin.deleteConsumerGroups(List.of(plan.applicationId())).all().get();
      if (!plan.internalTopics().isEmpty()) {
        Map<String, org.apache.kafka.common.Uuid> ids = new HashMap<>();
        admin.listTopics().listings().get().forEach(l -> ids.put(l.name(), l.topicId()));
        admin.deleteTopics(plan.internalTopics()).all().get();
        awaitGone(admin, plan.internalTopics(), ids);
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      plan.rawOffsets().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
      admin.alterConsumerGroupOffsets(plan.applicationId(), offsets).all().get();
      if (!plan.truncateTo().isEmpty()) {
        Map<TopicPartition, RecordsToDelete> del = new HashMap<>();
        plan.truncateTo().forEach((tp, o) -> del.put(tp, RecordsToDelete.beforeOffset(o)));
        admin.deleteRecords(del).all().get();
      }
    }
    List<String> tombstones = new ArrayList<>(plan.reportKeys());
    if (plan.respec()) {
      tombstones.add(PinnedSpec.KEY);
    }
    // Acknowledged one by one: 'replay' must not report a reset whose tombstones never reached the broker.
    List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>();
    for (String key : tombstones) {
      writes.add(new ProducerRecord<>(config.topic(TopicName.STATS), key.getBytes(StandardCharsets.UTF_8), null));
    }
    dev.streamlearn.core.AcknowledgedWrites.send(clients, writes);
    if (plan.localState() != null) {
      Dirs.deleteRecursively(plan.localState());
    }
    return plan;
  }
}
