package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * {@code rebalance.reservoir.size} changed between runs, the state restored from its changelog each time (fresh state
 * directories): the app goes on. Before, a smaller ring failed the rebalance stage's restore and a larger one its first
 * synthetic record, and the stream thread was replaced until the app gave up ({@code ReservoirResizeTest} has the ring's contents).
 */
class ReservoirResizeIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @Test
  void theAppGoesOnAfterTheReservoirShrinksAndGrows() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(5, 0.0, 0.0).generate(3000);
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();
    StreamlearnConfig first = RealKafka.config("resize", Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "0", "rebalance.reservoir.size", "64"));
    PreprocessIntegrationTest.createTopics(first);
    KafkaClients clients = new KafkaClients(first);
    int sent = 0;
    long syntheticBefore = 0;
    for (String size : new String[] {"64", "16", "128"}) {
      Map<String, String> m = new HashMap<>(first.originalsStrings());
      m.put("rebalance.reservoir.size", size);
      try (PreprocessApp app = new PreprocessApp(StreamlearnConfig.of(m), spec, Files.createTempDirectory("resize" + size).toString())) {
        app.start();
        PreprocessIntegrationTest.produce(clients, data.lines().subList(sent, sent + 1000));
        long expected = sent + 1000;
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
          PipelineReport r = PipelineReport.read(clients);
          return r.raw() == expected && r.reconciles();
        });
        assertThat(app.streams().state()).as("size " + size).isEqualTo(KafkaStreams.State.RUNNING);
        long synthetic = PipelineReport.read(clients).synthetic();
        assertThat(synthetic).as("size " + size + ": SMOTE went on making synthetic records").isGreaterThan(syntheticBefore);
        syntheticBefore = synthetic;
      }
      sent += 1000;
    }
  }
}
