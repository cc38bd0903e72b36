package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.CommandType;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import dev.streamlearn.client.snapshot.SnapshotSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Whoever can write model.snapshots and model.current but lacks the signing key cannot make the
 * updater or a client load a model: forged, unsigned and junk records are refused or skipped, the
 * client keeps serving its verified version, and the updater ignores a rollback to a forgery.
 */
class SnapshotAuthenticityIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final Map<String, Double> RAW = Map.of("a", 2.0, "b", 0.0, "c", 0.0, "d", 1.0);

  @Test
  void forgedSnapshotsAreRefusedByTheClientAndTheUpdater() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("forge", Map.of())) {
      f.produce(2_500);
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      CurrentModel client = new CurrentModel(f.clients, "m");
      assertThat(client.refresh()).isTrue();
      assertThat(client.version()).isEqualTo(1);
      Map<String, Double> before = client.predict(RAW);

      // A real network (v1's bytes, so the SHA-256 is right) under forged metadata signed with another key.
      byte[] network = new SnapshotCatalog(f.clients).load("m", 1, null).network();
      SnapshotSigner attacker = new SnapshotSigner("attacker-key-0123456789abcdef012345".getBytes(StandardCharsets.UTF_8));
      SnapshotSigner genuine = new SnapshotSigner(UpdaterFixture.KEY.getBytes(StandardCharsets.UTF_8));
      // 1. The pointer to it is not signed with the key either: clients and the updater ignore that pointer.
      publishForged(f, 100, network, attacker, null);
      assertThat(client.refresh()).as("the forged pointer is skipped").isFalse();
      assertThat(client.version()).isEqualTo(1);
      assertThatThrownBy(() -> new SnapshotCatalog(f.clients).load("m", 100, null)).isInstanceOf(SnapshotIntegrityException.class)
          .hasMessageContaining("v100").hasMessageContaining("does not verify");

      // 2. Even a validly signed pointer cannot make a client load a snapshot signed with another key...
      publishForged(f, 101, network, attacker, genuine);
      assertThatThrownBy(client::refresh).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("v101")
          .hasMessageContaining("does not verify");
      assertThat(client.version()).as("still serving the verified version").isEqualTo(1);
      assertThat(client.predict(RAW)).isEqualTo(before);

      // 3. ...or an unsigned one.
      publishForged(f, 102, network, null, genuine);
      assertThatThrownBy(client::refresh).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("unsigned");
      assertThat(client.version()).isEqualTo(1);

      // A client without any key refuses even the genuine version.
      KafkaClients keyless = new KafkaClients(f.config.with(Map.of("snapshot.signing.key", "", "snapshot.signing.key.file", "/nonexistent/key")));
      assertThatThrownBy(() -> new SnapshotCatalog(keyless).load("m", 1, null)).isInstanceOf(SnapshotIntegrityException.class)
          .hasMessageContaining("no snapshot signing key");

      // The updater is told to roll back to the forgery: it refuses, and keeps training its own lineage.
      send(f, TopicName.COMMANDS, "m", Avro.COMMAND.encode(ModelCommand.newBuilder().setModel("m").setType(CommandType.ROLLBACK).setVersion(100)
          .setReason("forged").setRequestedAt(System.currentTimeMillis()).build()));
      f.produce(2_500);
      await().atMost(PATIENCE).until(() -> f.published().size() >= 2);
      assertThat(f.events).noneMatch(e -> e instanceof SnapshotEvent.RolledBack);
      ModelSnapshot second = f.published().get(1).meta();
      assertThat(second.getParentVersion()).as("trained on from v1, not from the forgery").isEqualTo(1L);
      ModelPointer pointer = new SnapshotCatalog(f.clients).pointer("m").orElseThrow();
      assertThat(pointer.getHead()).isEqualTo(second.getVersion());
      assertThat(client.refresh()).isTrue();
      assertThat(client.version()).isEqualTo(pointer.getVersion());
    }
  }

  @Test
  void junkAndTombstonesOnTheModelTopicsAreSkipped() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("junk", Map.of())) {
      f.produce(2_500);
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      send(f, TopicName.SNAPSHOTS, "junk", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}); // Avro marker, unknown fingerprint
      send(f, TopicName.SNAPSHOTS, "not-a-chunk-key", null);
      send(f, TopicName.SNAPSHOTS, "m/oops/x", null);
      send(f, TopicName.SNAPSHOTS, "m/0000000000000000001/000007", new byte[] {1, 2, 3});
      send(f, TopicName.CURRENT, "other", "garbage".getBytes(StandardCharsets.UTF_8));
      send(f, TopicName.SNAPSHOTS, "m/0000000000000000009/000000", PoisonRecordsIntegrationTest.hugeLengthRecord(ModelSnapshot.getClassSchema()));
      send(f, TopicName.CURRENT, "m", PoisonRecordsIntegrationTest.hugeLengthRecord(ModelPointer.getClassSchema()));

      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);
      assertThat(catalog.versions(null).get("m")).containsOnlyKeys(1L);
      assertThat(catalog.pointers()).containsOnlyKeys("m");
      CurrentModel client = new CurrentModel(f.clients, "m");
      assertThat(client.refresh()).isTrue();
      assertThat(client.version()).isEqualTo(1);

      // The updater, restarted on top of the junk, resumes and goes on publishing.
      f.stopFirst();
      await().atMost(PATIENCE).until(() -> f.events.stream().filter(e -> e instanceof SnapshotEvent.Resumed).count() == 1);
      UpdaterFixture.Instance again = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> again.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Resumed));
      f.produce(2_500);
      await().atMost(PATIENCE).until(() -> again.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      again.stop();
      assertThat(catalog.versions("m").get("m")).containsKeys(1L, 2L);
    }
  }

  private static void publishForged(UpdaterFixture f, long version, byte[] network, SnapshotSigner snapshotSigner, SnapshotSigner pointerSigner) {
    ModelSnapshot meta = ModelSnapshot.newBuilder(SnapshotChunkerTest.meta(version)).setSpec(UpdaterFixture.SPEC).build();
    List<ModelSnapshot> chunks = SnapshotChunker.split(meta, network, 512 * 1024);
    if (snapshotSigner != null) {
      snapshotSigner.sign(chunks);
    }
    try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
      for (ModelSnapshot c : chunks) {
        p.send(new ProducerRecord<>(f.config.topic(TopicName.SNAPSHOTS), SnapshotChunker.key("m", version, c.getChunkIndex()), Avro.SNAPSHOT.encode(c)));
      }
      ModelPointer pointer = ModelPointer.newBuilder().setModel("m").setVersion(version).setHead(version).setReason("forged").setUpdatedAt(1).build();
      if (pointerSigner != null) {
        pointerSigner.sign(pointer);
      }
      p.send(new ProducerRecord<>(f.config.topic(TopicName.CURRENT), "m".getBytes(StandardCharsets.UTF_8), Avro.POINTER.encode(pointer)));
    }
  }

  private static void send(UpdaterFixture f, TopicName topic, String key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
      p.send(new ProducerRecord<>(f.config.topic(topic), key.getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }
}
