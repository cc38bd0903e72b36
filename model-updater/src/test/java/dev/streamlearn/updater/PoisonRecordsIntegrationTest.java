package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.KnownSchemas;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Junk and tombstones on the updater's internal inputs: each is quarantined once with its source,
 * the updater trains on, and after a restart it does not meet them again.
 */
class PoisonRecordsIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  static byte[] hugeLengthRecord() {
    return hugeLengthRecord(ProcessedRecord.getClassSchema());
  }

  /** The Avro single-object header of a record of {@code schema} (a string first), then that string claiming to be almost 2 GB long. */
  static byte[] hugeLengthRecord(org.apache.avro.Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(KnownSchemas.fingerprint(schema)).array());
    long zigzag = (Integer.MAX_VALUE - 16L) << 1;
    while ((zigzag & ~0x7FL) != 0) {
      out.write((int) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    out.write((int) zigzag);
    return out.toByteArray();
  }

  @Test
  void poisonRecordsAreQuarantinedOnceAndTrainingGoesOn() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("poison", Map.of("updater.snapshot.every.records", "1000", "updater.snapshot.every.ms", "1000"))) {
      f.produce(1_000);
      String train = f.config.topic(TopicName.TRAIN);
      String eval = f.config.topic(TopicName.EVAL);
      String commands = f.config.topic(TopicName.COMMANDS);
      try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
        p.send(new ProducerRecord<>(train, 0, "junk".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8))).get();
        p.send(new ProducerRecord<>(train, 1, "tomb".getBytes(StandardCharsets.UTF_8), null)).get();
        p.send(new ProducerRecord<>(train, 2, "huge".getBytes(StandardCharsets.UTF_8), hugeLengthRecord())).get();
        p.send(new ProducerRecord<>(eval, 3, "junk".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x01, 9, 9})).get();
        p.send(new ProducerRecord<>(commands, "m".getBytes(StandardCharsets.UTF_8), "rollback please".getBytes(StandardCharsets.UTF_8))).get();
        p.send(new ProducerRecord<>(commands, "m".getBytes(StandardCharsets.UTF_8), null)).get();
      }
      f.produce(1_000);
      // The updater starts at the end of model.commands the first time; these two are for the restarted one below.
      Future<?> first = f.startUpdater();
      await().atMost(PATIENCE).until(() -> quarantined(f).size() == 4);
      assertThat(first).isNotDone();
      List<RejectedRecord> q = quarantined(f);
      assertThat(q).extracting(RejectedRecord::getSourceTopic).containsOnly(train, eval);
      assertThat(q).extracting(RejectedRecord::getReason).contains("TOMBSTONE", "UNDECODABLE");
      assertThat(q).filteredOn(r -> r.getSourcePartition() == 2).singleElement()
          .satisfies(r -> assertThat(r.getOriginal().remaining()).isEqualTo(hugeLengthRecord().length));

      f.produce(500);
      long trainRecords = 2_500 - 250;
      await().atMost(PATIENCE).until(() -> !f.published().isEmpty() && f.published().get(f.published().size() - 1).meta().getTrainedRecords() == trainRecords);
      f.stopFirst();
      first.get();

      // Poison on model.commands after the updater's position there: met by the restarted updater.
      try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
        p.send(new ProducerRecord<>(commands, "m".getBytes(StandardCharsets.UTF_8), "rollback please".getBytes(StandardCharsets.UTF_8))).get();
        p.send(new ProducerRecord<>(commands, "m".getBytes(StandardCharsets.UTF_8), null)).get();
      }
      UpdaterFixture.Instance second = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> quarantined(f).size() == 6);
      f.produce(500);
      await().atMost(PATIENCE).until(() -> second.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      assertThat(second.future()).isNotDone();
      second.stop();

      // A third start: everything above is behind the committed offsets now.
      UpdaterFixture.Instance third = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> third.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Resumed));
      f.produce(500);
      await().atMost(PATIENCE).until(() -> third.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      third.stop();
      List<RejectedRecord> all = quarantined(f);
      assertThat(all).as("each poison record quarantined exactly once across three runs").hasSize(6);
      assertThat(all).extracting(r -> r.getSourceTopic() + "@" + r.getSourceOffset()).doesNotHaveDuplicates();
    }
  }

  private static List<RejectedRecord> quarantined(UpdaterFixture f) {
    return new TopicReader(f.clients).readAll(f.config.topic(TopicName.QUARANTINE)).stream().map(r -> Avro.REJECTED.decode(r.value())).toList();
  }
}
