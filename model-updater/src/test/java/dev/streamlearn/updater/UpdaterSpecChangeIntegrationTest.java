package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * A spec with other features or labels pinned under a trained model (after a replay with --respec): the updater stops,
 * at start or at its next snapshot, naming both specs and the way out, and publishes nothing. Before, DL4J failed the
 * first mini-batch of the new width, and again at every restart.
 */
class UpdaterSpecChangeIntegrationTest {

  private static final DatasetSpec WIDER = DatasetSpec.newBuilder().setFeatures(List.of("a", "b", "c", "d", "e"))
      .setLabels(List.of("x", "y", "z", "w")).build();

  @Test
  void aModelStopsWhenThePinnedSpecChangesItsColumns() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("upd-respec", Map.of())) {
      UpdaterFixture.Instance first = f.startSeparateUpdater();
      f.produce(2500);
      await().atMost(Duration.ofSeconds(120)).until(() -> first.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      first.stop();

      // At start: the head (v1) was trained on the fixture's spec, and another is pinned now.
      pin(f, WIDER);
      produceWide(f, 300);
      UpdaterFixture.Instance second = f.startSeparateUpdater();
      assertThatThrownBy(() -> second.future().get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ConfigException.class)
          .hasMessageContaining("model m is trained on features=[a, b, c, d] labels=[x, y, z] (v1)")
          .hasMessageContaining("is now features=[a, b, c, d, e] labels=[x, y, z, w]")
          .hasMessageContaining("another model.name");
      assertThat(second.events()).noneMatch(e -> e instanceof SnapshotEvent.Published);

      // While running: the spec changes under it before its next snapshot.
      pin(f, UpdaterFixture.SPEC);
      UpdaterFixture.Instance third = f.startSeparateUpdater();
      await().atMost(Duration.ofSeconds(120)).until(() -> third.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Resumed));
      pin(f, WIDER);
      f.produce(2500);
      assertThatThrownBy(() -> third.future().get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ConfigException.class).hasMessageContaining("a network cannot change its inputs or its classes");
      assertThat(third.events()).noneMatch(e -> e instanceof SnapshotEvent.Published);
    }
  }

  @Test
  void onlyRecordsOfTheNewSpecArrivingStopTheUpdaterToo() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("upd-respec-idle", Map.of())) {
      UpdaterFixture.Instance first = f.startSeparateUpdater();
      f.produce(2500);
      await().atMost(Duration.ofSeconds(120)).until(() -> first.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
      first.stop();
      // Resumed with everything learnt; then only records of another spec: nothing is learnt, so no snapshot would read
      // the spec, and the misfits make the updater read it.
      UpdaterFixture.Instance second = f.startSeparateUpdater();
      await().atMost(Duration.ofSeconds(120)).until(() -> second.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Resumed));
      pin(f, WIDER);
      produceWide(f, 300);
      assertThatThrownBy(() -> second.future().get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ConfigException.class).hasMessageContaining("a network cannot change its inputs or its classes");
      assertThat(second.events()).filteredOn(e -> e instanceof SnapshotEvent.Published).isEmpty();
    }
  }

  private static void pin(UpdaterFixture f, DatasetSpec spec) {
    try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
      p.send(new ProducerRecord<>(f.config.topic(TopicName.STATS), "spec".getBytes(StandardCharsets.UTF_8), Avro.SPEC.encode(spec)));
    }
  }

  /** Records of the wider spec: five features, the new label. */
  private static void produceWide(UpdaterFixture f, int n) {
    try (KafkaProducer<byte[], byte[]> p = f.clients.producer()) {
      for (int i = 0; i < n; i++) {
        boolean eval = i % 10 == 0;
        ProcessedRecord r = ProcessedRecord.newBuilder().setId("wide" + i).setTs(i).setLabel("w").setLabelIndex(3)
            .setFeatures(List.of(1.0, 2.0, 3.0, 4.0, 5.0 + i)).setSplit(eval ? Split.EVAL : Split.TRAIN).setStatsVersion(1).build();
        p.send(new ProducerRecord<>(f.config.topic(eval ? TopicName.EVAL : TopicName.TRAIN), r.getId().getBytes(StandardCharsets.UTF_8),
            Avro.PROCESSED.encode(r)));
      }
    }
  }
}
