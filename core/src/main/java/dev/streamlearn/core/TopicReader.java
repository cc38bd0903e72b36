package dev.streamlearn.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads a whole topic, from the beginning up to the end offsets taken when reading starts, without
 * a consumer group. Under read_committed the end is the last stable offset, so aborted or open
 * transactions never appear.
 */
public final class TopicReader {

  private final KafkaClients clients;

  public TopicReader(KafkaClients clients) {
    this.clients = clients;
  }

  /**
   * Hands every record to {@code sink}. Fails with a {@link TimeoutException} naming the bootstrap
   * servers and the topic when the read makes no progress for {@code client.read.timeout.ms}
   * (a broker that went away), instead of hanging the CLI, a client or the updater.
   */
  public long readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    Duration patience = Duration.ofMillis(clients.config().getLong(StreamlearnConfig.READ_TIMEOUT_MS));
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      List<TopicPartition> parts;
      Map<TopicPartition, Long> end;
      try {
        parts = partitions(consumer, topic, patience);
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        end = new HashMap<>(consumer.endOffsets(parts, patience));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw timeout(topic, patience, e);
      }
      long n = 0;
      long lastProgress = System.nanoTime();
      int left = end.size();
      while (!caughtUp(consumer, end, patience, topic)) {
        boolean progress = end.size() < left;
        left = end.size();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          sink.accept(r);
          n++;
          progress = true;
        }
        if (progress) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > patience.toNanos()) {
          throw timeout(topic, patience, null);
        }
      }
      return n;
    }
  }

  private boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end, Duration patience, String topic) {
    try {
      return caughtUp(consumer, end);
    } catch (TimeoutException e) {
      throw timeout(topic, patience, e); // position() waits for the broker up to default.api.timeout.ms
    }
  }

  private TimeoutException timeout(String topic, Duration patience, Exception cause) {
    TimeoutException e = new TimeoutException("reading " + topic + " from " + clients.config().getString(StreamlearnConfig.BOOTSTRAP)
        + " made no progress for " + patience.toMillis() + " ms (is the broker up and reachable? see client.read.timeout.ms)");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    readAll(topic, out::add);
    return out;
  }

  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return partitions(consumer, topic, Duration.ofSeconds(30));
  }

  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration patience) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, patience);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist (run 'streamlearn topics create')");
    }
    List<TopicPartition> out = new ArrayList<>();
    infos.forEach(i -> out.add(new TopicPartition(topic, i.partition())));
    return out;
  }

  /** Drops from {@code end} the partitions the consumer has read up to; true once none is left. */
  public static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    return end.isEmpty();
  }
}
