package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.LocalKafka;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** kill -9 of an updater process in the middle of training, then a restart: contiguous lineage, nothing trained twice or skipped. */
class CrashResumeIntegrationTest {

  @Test
  void killNineMidTrainingThenRestartKeepsLineageContiguous() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("crash", Map.of("updater.snapshot.every.records", "1000", "updater.hidden.layers", "128,128",
        "updater.batch.size", "32"))) {
      int total = 30_000;
      f.produce(total);
      long trainRecords = total - total / 10;
      Path props = Files.createTempFile("updater", ".properties");
      Properties p = new Properties();
      p.putAll(f.config.rawValues());
      try (var out = Files.newOutputStream(props)) {
        p.store(out, null);
      }
      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);

      Process first = start(props, "first");
      await().atMost(Duration.ofSeconds(120)).until(() -> versions(catalog).size() >= 2);
      first.destroyForcibly(); // SIGKILL: no shutdown hook, an open transaction may be left behind
      first.waitFor();
      int atKill = versions(catalog).size();
      assertThat(versions(catalog).lastEntry().getValue().getTrainedRecords()).as("killed before the end").isLessThan(trainRecords);
      // Eval records whose offsets the killed updater had committed: the restarted one must re-read them (up to a window).
      long evalCommittedAtKill = trainOffsets(versions(catalog).lastEntry().getValue(), f.config.topic(TopicName.EVAL) + "-");

      Process second = start(props, "second");
      try {
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
            .until(() -> versions(catalog).lastEntry().getValue().getTrainedRecords() == trainRecords);
      } finally {
        second.destroy();
        second.waitFor();
      }

      TreeMap<Long, ModelSnapshot> all = versions(catalog);
      assertThat(all.size()).isGreaterThan(atKill);
      List<ModelSnapshot> lineage = new ArrayList<>(all.values());
      String trainPrefix = f.config.topic(TopicName.TRAIN) + "-";
      for (int i = 1; i < lineage.size(); i++) {
        ModelSnapshot parent = lineage.get(i - 1);
        ModelSnapshot child = lineage.get(i);
        assertThat(child.getParentVersion()).isEqualTo(parent.getVersion());
        // The records a child trained on are exactly the offsets between its parent's and its own (producer without transactions: no gaps).
        assertThat(child.getTrainedRecords() - parent.getTrainedRecords()).as("v%d", child.getVersion())
            .isEqualTo(trainOffsets(child, trainPrefix) - trainOffsets(parent, trainPrefix));
      }
      // The restarted updater re-reads the eval records committed before the kill (each partition back by a window), and a
      // snapshot is judged only once every eval record already polled is in the window: from the first snapshot after the
      // restart on, the window holds at least what was committed, up to updater.eval.window (2000). Before a poll's eval
      // records were handled ahead of its training records, first snapshots were seen judged on 773 of 3,000.
      assertThat(evalCommittedAtKill).as("eval records committed before the kill").isPositive();
      assertThat(lineage.subList(atKill, lineage.size())).allSatisfy(s -> assertThat(s.getMetrics().get("n")).as("v%d", s.getVersion())
          .isGreaterThanOrEqualTo((double) Math.min(2000, evalCommittedAtKill)));
      assertThat(lineage.get(lineage.size() - 1).getMetrics().get("n")).as("the last snapshot's window").isEqualTo(2000.0);
      ModelSnapshot last = lineage.get(lineage.size() - 1);
      assertThat(last.getTrainedRecords()).as("every record trained exactly once").isEqualTo(trainRecords);
      assertThat(trainOffsets(last, trainPrefix)).isEqualTo(trainRecords);
    }
  }

  private static long trainOffsets(ModelSnapshot s, String prefix) {
    return s.getOffsets().entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
  }

  private static TreeMap<Long, ModelSnapshot> versions(SnapshotCatalog catalog) {
    return catalog.versions("m").getOrDefault("m", new TreeMap<>());
  }

  private static Process start(Path props, String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx768m", "-cp", LocalKafka.currentClasspath(), UpdaterMain.class.getName(), props.toString())
        .redirectErrorStream(true).redirectOutput(File.createTempFile("updater-" + name, ".log"));
    pb.environment().put("OMP_NUM_THREADS", "1");
    return pb.start();
  }
}
