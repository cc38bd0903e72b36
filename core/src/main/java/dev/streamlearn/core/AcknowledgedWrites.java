package dev.streamlearn.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An operator's writes (a rollback command, a pointer, tombstones): each one is sent and its
 * acknowledgement awaited, so a command reports success only once the broker has the records, and a
 * failure names the topic, the broker and the reason. Bounded by {@code client.read.timeout.ms}, not
 * the producer's default two minutes.
 */
public final class AcknowledgedWrites {

  private AcknowledgedWrites() {}

  /** @return the metadata of every record, in order */
  public static List<RecordMetadata> send(KafkaClients clients, List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> props = clients.producerProps();
    long patience = clients.config().getLong(StreamlearnConfig.READ_TIMEOUT_MS);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, patience);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, patience));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, patience + 10)); // must exceed linger + request timeout
    List<RecordMetadata> out = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> pending = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : records) {
        pending.add(producer.send(r));
      }
      for (int i = 0; i < pending.size(); i++) {
        out.add(await(pending.get(i), records.get(i).topic(), clients));
      }
    } catch (KafkaException e) {
      throw failure(records.isEmpty() ? "?" : records.get(0).topic(), clients, e);
    }
    return out;
  }

  public static RecordMetadata send(KafkaClients clients, ProducerRecord<byte[], byte[]> record) {
    return send(clients, List.of(record)).get(0);
  }

  private static RecordMetadata await(Future<RecordMetadata> f, String topic, KafkaClients clients) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw failure(topic, clients, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + topic, e);
    }
  }

  private static IllegalStateException failure(String topic, KafkaClients clients, Throwable cause) {
    return new IllegalStateException("writing to " + topic + " on " + clients.config().getString(StreamlearnConfig.BOOTSTRAP) + " failed: "
        + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
  }
}
