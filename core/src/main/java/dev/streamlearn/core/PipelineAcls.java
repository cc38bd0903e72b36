package dev.streamlearn.core;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on one pipeline's topics (those under its {@code topic.prefix}), as Kafka ACLs.
 * Only {@code streams} writes the records topics and the normalizer stats; only {@code updater}
 * writes {@code model.snapshots}, {@code model.current} and the quarantine; {@code operator}
 * creates topics, reads everything, writes {@code model.commands} and (sending dead letters back,
 * {@code dlq reprocess}) {@code records.raw}; {@code producer} writes
 * {@code records.raw}; {@code reader} (a downstream service) reads the published models. Nothing
 * is allowed that is not listed here (the broker runs with {@code allow.everyone.if.no.acl.found=false}).
 */
public final class PipelineAcls {

  public static final String STREAMS = "streams";
  public static final String UPDATER = "updater";
  public static final String OPERATOR = "operator";
  public static final String PRODUCER = "producer";
  public static final String READER = "reader";
  public static final List<String> PRINCIPALS = List.of(STREAMS, UPDATER, OPERATOR, PRODUCER, READER);

  private final StreamlearnConfig config;
  private final List<AclBinding> bindings = new ArrayList<>();

  public PipelineAcls(StreamlearnConfig config) {
    this.config = config;
    build();
  }

  public List<AclBinding> bindings() {
    return List.copyOf(bindings);
  }

  /** Creates the bindings (creating an existing one again is harmless) and waits for the broker's answer. */
  public void apply(Admin admin) throws ExecutionException, InterruptedException {
    admin.createAcls(bindings).all().get();
  }

  private void build() {
    String prefix = config.getString(StreamlearnConfig.TOPIC_PREFIX);
    String app = config.applicationId();
    String updaterGroups = prefix + "updater-"; // UpdaterGroups: data group, leader group and transactional id

    for (String p : PRINCIPALS) {
      // Metadata only: every principal may see the pipeline's topics exist (topic checks, 'topics create' drift reports).
      allow(p, prefixedTopic(prefix), DESCRIBE, DESCRIBE_CONFIGS);
      allow(p, cluster(), IDEMPOTENT_WRITE); // idempotent producers (the default) on brokers that still ask for it
    }

    allow(STREAMS, topic(TopicName.RAW), READ);
    for (TopicName t : List.of(TopicName.CLEAN, TopicName.TRAIN, TopicName.EVAL, TopicName.DLQ, TopicName.STATS)) {
      allow(STREAMS, topic(t), READ, WRITE);
    }
    // Kafka Streams' own resources all start with the application id: changelog and repartition
    // topics (created by the app), its consumer group and its exactly_once_v2 transactional ids.
    allow(STREAMS, new ResourcePattern(ResourceType.TOPIC, app, PatternType.PREFIXED), ALL);
    allow(STREAMS, new ResourcePattern(ResourceType.GROUP, app, PatternType.PREFIXED), ALL);
    allow(STREAMS, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED), WRITE, DESCRIBE);

    for (TopicName t : List.of(TopicName.TRAIN, TopicName.EVAL, TopicName.STATS, TopicName.COMMANDS)) {
      allow(UPDATER, topic(t), READ);
    }
    for (TopicName t : List.of(TopicName.SNAPSHOTS, TopicName.CURRENT, TopicName.QUARANTINE)) {
      allow(UPDATER, topic(t), READ, WRITE);
    }
    allow(UPDATER, new ResourcePattern(ResourceType.GROUP, updaterGroups, PatternType.PREFIXED), READ, DESCRIBE);
    allow(UPDATER, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, updaterGroups, PatternType.PREFIXED), WRITE, DESCRIBE);

    allow(OPERATOR, prefixedTopic(prefix), READ, CREATE);
    allow(OPERATOR, topic(TopicName.COMMANDS), WRITE);
    allow(OPERATOR, topic(TopicName.RAW), WRITE); // dlq reprocess: reads records.dlq and writes what it read back to records.raw
    allow(OPERATOR, prefixed(ResourceType.GROUP, prefix), DESCRIBE); // lag and committed offsets

    allow(PRODUCER, topic(TopicName.RAW), WRITE);

    for (TopicName t : List.of(TopicName.CURRENT, TopicName.SNAPSHOTS)) {
      allow(READER, topic(t), READ);
    }
  }

  private ResourcePattern topic(TopicName t) {
    return new ResourcePattern(ResourceType.TOPIC, config.topic(t), PatternType.LITERAL);
  }

  private static ResourcePattern prefixedTopic(String prefix) {
    return prefixed(ResourceType.TOPIC, prefix);
  }

  /** Everything of that type when the prefix is empty (a PREFIXED pattern must not be empty). */
  private static ResourcePattern prefixed(ResourceType type, String prefix) {
    return prefix.isEmpty() ? new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL)
        : new ResourcePattern(type, prefix, PatternType.PREFIXED);
  }

  private static ResourcePattern cluster() {
    return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
  }

  private void allow(String principal, ResourcePattern resource, AclOperation... operations) {
    for (AclOperation op : operations) {
      bindings.add(new AclBinding(resource, new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}
