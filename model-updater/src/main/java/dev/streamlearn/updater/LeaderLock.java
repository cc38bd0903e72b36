package dev.streamlearn.updater;

import dev.streamlearn.core.KafkaClients;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One updater per model at a time: instances join a consumer group on the single-partition
 * commands topic, and the one assigned that partition leads. The others wait, and the group hands
 * the partition to one of them when the leader dies (after the session timeout). The partition is
 * kept paused: this consumer only holds the lock. Transactional fencing backs this up: a leader
 * that lost the lock but still runs cannot commit once the new one has called initTransactions().
 */
public final class LeaderLock implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;

  public LeaderLock(KafkaClients clients, String group, String topic) {
    Map<String, Object> p = new TreeMap<>(clients.consumerProps(group));
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    // Cooperative: a joining (waiting) instance must not make the leader give the partition up, even briefly.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        consumer.pause(partitions);
      }
    });
  }

  /** Keeps the membership alive and says whether this instance leads. Call it at least every few seconds. */
  public boolean isLeader() {
    consumer.poll(Duration.ZERO);
    return !consumer.assignment().isEmpty();
  }

  public boolean awaitLeadership(Duration poll) {
    consumer.poll(poll);
    return !consumer.assignment().isEmpty();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
