package dev.streamlearn.updater.snapshot;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import dev.streamlearn.client.snapshot.SnapshotSigner;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Publishes in one Kafka transaction: a snapshot's chunks, the model pointer, and the consumer
 * offsets the snapshot covers. Either all of it becomes visible to read_committed readers, or none.
 */
public final class SnapshotPublisher {

  private final KafkaProducer<byte[], byte[]> producer;
  private final String snapshotsTopic;
  private final String currentTopic;
  private final SnapshotSigner signer;

  /**
   * @param producer a transactional producer on which initTransactions() was called
   * @throws SnapshotIntegrityException if no signing key is configured: an unsigned snapshot would be refused by every reader
   */
  public SnapshotPublisher(KafkaProducer<byte[], byte[]> producer, StreamlearnConfig config) {
    this.producer = producer;
    this.signer = SnapshotSigner.of(config);
    this.snapshotsTopic = config.topic(TopicName.SNAPSHOTS);
    this.currentTopic = config.topic(TopicName.CURRENT);
  }

  /**
   * Signs the chunks and the pointer (sets their signature fields, so the caller's copies are the
   * published ones) and commits them with the offsets.
   *
   * @param offsets consumer offsets to commit with it, or null; @param group their consumer group
   */
  public void commit(List<ModelSnapshot> chunks, ModelPointer pointer, Map<TopicPartition, OffsetAndMetadata> offsets, String group) {
    signer.sign(chunks);
    if (pointer != null) {
      signer.sign(pointer);
    }
    producer.beginTransaction();
    try {
      for (ModelSnapshot c : chunks) {
        producer.send(new ProducerRecord<>(snapshotsTopic, SnapshotChunker.key(c.getModel(), c.getVersion(), c.getChunkIndex()), Avro.SNAPSHOT.encode(c)));
      }
      if (pointer != null) {
        producer.send(new ProducerRecord<>(currentTopic, pointer.getModel().getBytes(StandardCharsets.UTF_8), Avro.POINTER.encode(pointer)));
      }
      if (offsets != null && !offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(group));
      }
      producer.commitTransaction();
    } catch (ProducerFencedException e) {
      throw e; // another instance owns this transactional id: nothing to abort
    } catch (KafkaException e) {
      producer.abortTransaction();
      throw e;
    }
  }
}
