package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.CommandType;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.AcknowledgedWrites;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Operators' writes fail loudly, prune never removes what the updater may still use, and version numbers are never reused. */
class ModelAdminIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void pruneKeepsCurrentHeadNewestAndPendingRollbackTargetsAndNumbersAreNeverReused() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("prune", Map.of("updater.snapshot.every.records", "1000"))) {
      ModelAdmin admin = new ModelAdmin(f.clients);
      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);
      assertThatThrownBy(() -> admin.prune("m", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");

      f.produce(5_000); // 4,500 training records: v1..v4
      Future<?> first = f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 4);
      assertThat(admin.rollback("m", 1, "test", Duration.ofSeconds(10)).appliedByUpdater()).isTrue();
      f.stopFirst();
      first.get();

      // No updater: a rollback moves the pointer itself, and the command stays pending for the next updater.
      ModelAdmin.RollbackResult direct = admin.rollback("m", 3, "while stopped", Duration.ofSeconds(1));
      assertThat(direct.appliedByUpdater()).isFalse();
      assertThat(direct.pointer().getVersion()).isEqualTo(3);
      assertThat(direct.pointer().getLastVersion()).isEqualTo(4);
      assertThat(admin.pendingRollbackTargets("m")).containsExactly(3L);

      List<Long> removed = admin.prune("m", 1);
      assertThat(removed).as("v1 (head before the pending rollback) stays, v3 (current, pending) stays, v4 (newest) stays").containsExactly(2L);
      assertThat(catalog.versions("m").get("m").keySet()).containsExactly(1L, 3L, 4L);

      // Lose the newest version too (as an older CLI's '--keep 0' could): its number must still not come back.
      AcknowledgedWrites.send(f.clients, new ProducerRecord<>(f.config.topic(TopicName.SNAPSHOTS), SnapshotChunker.key("m", 4, 0), null));
      UpdaterFixture.Instance again = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> again.events().stream().anyMatch(e -> e instanceof SnapshotEvent.RolledBack));
      f.produce(1_200);
      await().atMost(PATIENCE).until(() -> again.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      ModelSnapshot next = again.events().stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> ((SnapshotEvent.Published) e).meta())
          .findFirst().orElseThrow();
      assertThat(next.getVersion()).as("never a number given before").isEqualTo(5);
      assertThat(next.getParentVersion()).as("the pending rollback to v3 was applied first").isEqualTo(3L);
      again.stop();
    }
  }

  @Test
  void aRollbackTheRunningUpdaterRefusesIsAnErrorAndMovesNothing() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("refuse", Map.of())) {
      f.produce(2_500);
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      // A complete but unsigned v7 on the topic: listed, but the updater refuses to load it.
      ModelSnapshot meta = ModelSnapshot.newBuilder(SnapshotChunkerTest.meta(7)).setSpec(UpdaterFixture.SPEC).build();
      List<ProducerRecord<byte[], byte[]>> chunks = SnapshotChunker.split(meta, new byte[] {1, 2, 3}, 1024).stream()
          .map(c -> new ProducerRecord<>(f.config.topic(TopicName.SNAPSHOTS), SnapshotChunker.key("m", 7, c.getChunkIndex()), Avro.SNAPSHOT.encode(c))).toList();
      AcknowledgedWrites.send(f.clients, chunks);
      ModelPointer before = new SnapshotCatalog(f.clients).pointer("m").orElseThrow();

      assertThatThrownBy(() -> new ModelAdmin(f.clients).rollback("m", 7, "forged", Duration.ofSeconds(3))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not verify").hasMessageContaining("nothing was sent");
      // An operator's host without the key sends it; the running updater refuses, and the CLI says so.
      KafkaClients keyless = new KafkaClients(f.config.with(Map.of("snapshot.signing.key", "", "snapshot.signing.key.file", "/nonexistent/key")));
      assertThatThrownBy(() -> new ModelAdmin(keyless).rollback("m", 7, "forged", Duration.ofSeconds(3))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("did not apply the rollback to v7").hasMessageContaining("not moved");
      assertThat(new SnapshotCatalog(f.clients).pointer("m").orElseThrow()).isEqualTo(before);
    }
  }

  @Test
  void aWriteToABrokerThatIsGoneFailsNamingTheTopicAndTheBroker() throws Exception {
    String nobody = "127.0.0.1:" + RealKafka.freePort();
    KafkaClients clients = new KafkaClients(StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, nobody, StreamlearnConfig.READ_TIMEOUT_MS, "1500")));
    ModelCommand cmd = ModelCommand.newBuilder().setModel("m").setType(CommandType.ROLLBACK).setVersion(1).setRequestedAt(1).build();
    assertThatThrownBy(() -> AcknowledgedWrites.send(clients, new ProducerRecord<>("x.model.commands", "m".getBytes(StandardCharsets.UTF_8),
        Avro.COMMAND.encode(cmd)))).isInstanceOf(IllegalStateException.class).hasMessageContaining("x.model.commands").hasMessageContaining(nobody);
    assertThatThrownBy(() -> new ModelAdmin(clients).prune("m", 1)).hasMessageContaining(nobody);
  }
}
