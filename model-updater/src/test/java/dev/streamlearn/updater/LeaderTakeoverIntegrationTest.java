package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two updaters for one model: one leads, the other waits, and takes over (from the leader's last snapshot) when it stops. */
class LeaderTakeoverIntegrationTest {

  @Test
  void theSecondInstanceWaitsThenTakesOver() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("leader", Map.of("updater.snapshot.every.records", "1000"))) {
      f.produce(3_000);
      Future<?> first = f.startUpdater();
      await().atMost(Duration.ofSeconds(60)).until(() -> f.published().size() >= 2);

      UpdaterFixture.Instance second = f.startSeparateUpdater();
      await().atMost(Duration.ofSeconds(60)).until(() -> second.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Waiting));
      assertThat(second.events()).noneMatch(e -> e instanceof SnapshotEvent.Published);

      f.stopFirst();
      first.get();
      f.produce(3_000);
      await().atMost(Duration.ofSeconds(180)).until(() -> {
        if (second.future().isDone()) {
          second.future().get(); // surfaces the second instance's failure, if any
        }
        return second.events().stream().anyMatch(e -> e instanceof SnapshotEvent.Published);
      });
      SnapshotEvent.Resumed resumed = (SnapshotEvent.Resumed) second.events().stream().filter(e -> e instanceof SnapshotEvent.Resumed).findFirst().orElseThrow();
      long lastOfFirst = f.published().get(f.published().size() - 1).meta().getVersion();
      assertThat(resumed.headVersion()).as("takes over from the leader's last snapshot").isEqualTo(lastOfFirst);
      second.stop();

      // One lineage, no version published twice or skipped.
      TreeMap<Long, ModelSnapshot> versions = new SnapshotCatalog(f.clients).versions("m").get("m");
      List<Long> ids = new ArrayList<>(versions.keySet());
      for (int i = 1; i < ids.size(); i++) {
        assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
        assertThat(versions.get(ids.get(i)).getParentVersion()).isEqualTo(ids.get(i - 1));
      }
    }
  }
}
