package dev.streamlearn.updater;

import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The updater's guard on its internal input topics (records.train, records.eval, model.commands):
 * a record that does not decode, or a tombstone, is written to records.quarantine with its bytes,
 * its source and the reason, logged in one line, and skipped. It never stops the updater, and as its
 * offset is already counted as consumed, the next snapshot's transaction commits past it: after a
 * crash it is met again at most once more, never in a loop.
 */
final class Quarantine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

  private final KafkaClients clients;
  private final String topic;
  private KafkaProducer<byte[], byte[]> producer; // created on the first poison record: most runs never need one

  Quarantine(KafkaClients clients) {
    this.clients = clients;
    this.topic = clients.config().topic(TopicName.QUARANTINE);
  }

  /** The decoded value, or null after quarantining a record that is a tombstone or does not decode as {@code serde}'s type. */
  <T extends SpecificRecord> T decode(ConsumerRecord<byte[], byte[]> r, AvroSerde<T> serde) {
    return decode(r, serde, true);
  }

  /**
   * As {@link #decode(ConsumerRecord, AvroSerde)}; with {@code firstReading} false (a record re-read behind the committed
   * offset, as when the eval window is restored) a bad record is skipped without a second quarantine record.
   */
  <T extends SpecificRecord> T decode(ConsumerRecord<byte[], byte[]> r, AvroSerde<T> serde, boolean firstReading) {
    if (!firstReading) {
      try {
        return r.value() == null ? null : UntrustedBytes.decode(serde, r.value());
      } catch (RuntimeException e) {
        return null; // quarantined when it was first read
      }
    }
    if (r.value() == null) {
      quarantine(r, "TOMBSTONE", "a record without a value");
      return null;
    }
    try {
      return UntrustedBytes.decode(serde, r.value());
    } catch (RuntimeException e) {
      quarantine(r, "UNDECODABLE", String.valueOf(e.getMessage()));
      return null;
    }
  }

  private void quarantine(ConsumerRecord<byte[], byte[]> r, String reason, String message) {
    log.warn("quarantined {}-{}@{} ({}): {}", r.topic(), r.partition(), r.offset(), reason, message);
    RejectedRecord q = RejectedRecord.newBuilder().setOriginal(ByteBuffer.wrap(r.value() == null ? new byte[0] : r.value()))
        .setOriginalKey(r.key() == null ? null : ByteBuffer.wrap(r.key())).setReason(reason).setMessage(message).setSourceTopic(r.topic())
        .setSourcePartition(r.partition()).setSourceOffset(r.offset()).setRejectedAt(System.currentTimeMillis()).build();
    producer().send(new ProducerRecord<>(topic, r.key(), Avro.REJECTED.encode(q)), (meta, e) -> {
      if (e != null) {
        log.error("could not write the quarantine record for {}-{}@{} to {}: {}", r.topic(), r.partition(), r.offset(), topic, e.getMessage());
      }
    });
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      // A missing quarantine topic must not stall training for the default minute.
      Map<String, Object> props = clients.producerProps();
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }
}
