package dev.streamlearn.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The declarative spec of every topic: partitions and the topic configs that matter. {@link
 * TopicAdmin} creates what is missing and reports drift against this, so this list is the one
 * place that says what the cluster should look like.
 */
public record TopicSpec(TopicName name, String fullName, int partitions, short replication, Map<String, String> configs) {

  /** Default broker limit on one message (message.max.bytes); model snapshots are chunked below it. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

  public static List<TopicSpec> all(StreamlearnConfig config) {
    int p = config.getInt(StreamlearnConfig.TOPIC_PARTITIONS);
    short rf = config.getShort(StreamlearnConfig.TOPIC_REPLICATION);
    String retention = String.valueOf(config.getLong(StreamlearnConfig.TOPIC_RETENTION_MS));
    String dlqRetention = String.valueOf(4 * config.getLong(StreamlearnConfig.TOPIC_RETENTION_MS));
    // Raw and DLQ accept up to 8 MB so that an oversize record reaches the DLQ with its bytes instead of failing the producer.
    Map<String, String> records = Map.of("cleanup.policy", "delete", "retention.ms", retention, "compression.type", "lz4");
    Map<String, String> wide = Map.of("cleanup.policy", "delete", "retention.ms", retention, "compression.type", "lz4", "max.message.bytes", "8388608");
    List<TopicSpec> specs = new ArrayList<>();
    specs.add(spec(config, TopicName.RAW, p, rf, wide));
    specs.add(spec(config, TopicName.CLEAN, p, rf, records));
    specs.add(spec(config, TopicName.TRAIN, p, rf, records));
    specs.add(spec(config, TopicName.EVAL, p, rf, records));
    specs.add(spec(config, TopicName.DLQ, p, rf,
        Map.of("cleanup.policy", "delete", "retention.ms", dlqRetention, "compression.type", "lz4", "max.message.bytes", "9437184")));
    // One partition: a handful of poison records, in the order the updater met them.
    specs.add(spec(config, TopicName.QUARANTINE, 1, rf,
        Map.of("cleanup.policy", "delete", "retention.ms", dlqRetention, "compression.type", "lz4", "max.message.bytes", "9437184")));
    specs.add(spec(config, TopicName.STATS, 1, rf, Map.of("cleanup.policy", "compact")));
    // Snapshots are compacted, keyed per chunk: they never expire by time (a rollback target must not
    // vanish) and 'models prune' removes a version with tombstones. Chunks keep the default message limit.
    specs.add(spec(config, TopicName.SNAPSHOTS, 1, rf,
        Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(DEFAULT_MAX_MESSAGE_BYTES), "compression.type", "producer")));
    specs.add(spec(config, TopicName.CURRENT, 1, rf, Map.of("cleanup.policy", "compact")));
    specs.add(spec(config, TopicName.COMMANDS, 1, rf, Map.of("cleanup.policy", "delete", "retention.ms", dlqRetention)));
    return specs;
  }

  private static TopicSpec spec(StreamlearnConfig c, TopicName name, int partitions, short rf, Map<String, String> configs) {
    return new TopicSpec(name, c.topic(name), partitions, rf, configs);
  }
}
