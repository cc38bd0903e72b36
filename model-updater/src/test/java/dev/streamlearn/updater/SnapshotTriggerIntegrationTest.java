package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The time trigger counts from the first record a snapshot will cover: an updater that sat idle does not publish a version of one record. */
class SnapshotTriggerIntegrationTest {

  @Test
  void anIdleUpdaterDoesNotPublishAVersionOfItsFirstRecord() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("trigger", Map.of("updater.snapshot.every.ms", "1000", "updater.snapshot.every.records", "100000"))) {
      f.startUpdater();
      await().atMost(Duration.ofSeconds(60)).until(() -> f.events.stream().anyMatch(e -> e instanceof SnapshotEvent.Resumed));
      // Idle for longer than the time trigger: the old rule (time since the last snapshot) fired on the very next record.
      await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      f.produce(300); // 270 training records, sent at once
      await().atMost(Duration.ofSeconds(60)).until(() -> !f.published().isEmpty());
      assertThat(f.published().get(0).meta().getTrainedRecords()).as("the first version covers what arrived within a second, not one record")
          .isGreaterThan(100);
    }
  }
}
