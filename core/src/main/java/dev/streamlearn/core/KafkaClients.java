package dev.streamlearn.core;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Builds Kafka clients from {@link StreamlearnConfig}, so pass-through (security) settings reach every one. */
public final class KafkaClients {

  private final StreamlearnConfig config;

  public KafkaClients(StreamlearnConfig config) {
    this.config = config;
  }

  public StreamlearnConfig config() {
    return config;
  }

  public Admin admin() {
    Map<String, Object> p = new TreeMap<>(config.kafkaClient("admin"));
    p.putIfAbsent("request.timeout.ms", 15000);
    p.putIfAbsent("default.api.timeout.ms", 30000);
    return Admin.create(p);
  }

  public Map<String, Object> producerProps() {
    Map<String, Object> p = new TreeMap<>(config.kafkaClient("producer"));
    p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10 * 1024 * 1024);
    return p;
  }

  public KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A transactional producer; {@code initTransactions()} fences any older instance with the same id. */
  public KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
    Map<String, Object> p = producerProps();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public Map<String, Object> consumerProps(String groupId) {
    Map<String, Object> p = new TreeMap<>(config.kafkaClient("consumer"));
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    return p;
  }

  /** A consumer without a group, for assign()-based reading. */
  public KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(consumerProps(null), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  public KafkaConsumer<byte[], byte[]> consumer(String groupId) {
    return new KafkaConsumer<>(consumerProps(groupId), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
