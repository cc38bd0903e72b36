package dev.streamlearn.core.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a consumer group is behind on some topics, per partition: the last stable offset (read_committed,
 * as the pipeline reads) minus the group's committed offset (the log start when it has committed none).
 * The updater commits with each snapshot, so its lag counts the records no snapshot covers yet.
 */
public final class GroupLag {

  private static final Logger log = LoggerFactory.getLogger(GroupLag.class);
  private static final long TIMEOUT_MS = 5_000;
  /** The one name both apps export their groups' lag under (the group label tells them apart). */
  public static final String METRIC = "streamlearn_consumer_group_lag";

  private final Admin admin;
  private final String group;
  private final List<String> topics;

  public GroupLag(Admin admin, String group, List<String> topics) {
    this.admin = admin;
    this.group = group;
    this.topics = topics;
  }

  /** Lag by partition of the group's topics, in topic then partition order. */
  public Map<TopicPartition, Long> read() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).forEach((name, d) -> d.partitions().forEach(p -> {
      TopicPartition tp = new TopicPartition(name, p.partition());
      latest.put(tp, OffsetSpec.latest());
      earliest.put(tp, OffsetSpec.earliest());
    }));
    ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    var end = admin.listOffsets(latest, committedOnly).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    var start = admin.listOffsets(earliest, committedOnly).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> lag = new TreeMap<>((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
        : a.topic().compareTo(b.topic()));
    end.forEach((tp, info) -> {
      OffsetAndMetadata om = committed.get(tp);
      long from = om == null ? start.get(tp).offset() : om.offset();
      lag.put(tp, Math.max(0, info.offset() - from));
    });
    return lag;
  }

  /**
   * Registers {@code name{group,topic,partition}}, read from the broker at each scrape; a scrape that
   * cannot reach the broker leaves the gauge out (and logs why) rather than reporting a stale number.
   */
  public void register(PrometheusRegistry registry, String name) {
    GaugeWithCallback.builder().name(name).help("Records of the topic not yet committed by the consumer group (read_committed end minus committed offset)")
        .labelNames("group", "topic", "partition").callback(cb -> {
          try {
            read().forEach((tp, n) -> cb.call(n, group, tp.topic(), Integer.toString(tp.partition())));
          } catch (Exception e) {
            log.warn("lag of group {} not available: {}", group, e.toString());
          }
        }).register(registry);
  }
}
