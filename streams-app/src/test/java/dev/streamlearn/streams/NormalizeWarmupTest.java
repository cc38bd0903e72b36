package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.core.StreamlearnConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NormalizeWarmupTest {

  private static TopologyFixture fixture(int warmup, long maxWaitMs) throws Exception {
    return new TopologyFixture(Map.of(StreamlearnConfig.NORMALIZE_WARMUP_RECORDS, String.valueOf(warmup),
        StreamlearnConfig.NORMALIZE_WARMUP_MAX_WAIT_MS, String.valueOf(maxWaitMs), StreamlearnConfig.REBALANCE_MODE, "none"),
        List.of("f0"), List.of("a", "b"));
  }

  @Test
  void recordsWaitUntilTheStatisticsAreWarmThenFlowInOrderNormalizedWithThem() throws Exception {
    try (TopologyFixture f = fixture(5, 60_000)) {
      double[] xs = {1, 2, 3, 4, 10};
      for (int i = 0; i < 4; i++) {
        f.send(TopologyFixture.json("r" + i, i % 2 == 0 ? "a" : "b", xs[i]));
      }
      assertThat(f.clean.readRecordsToList()).as("held while the statistics cover fewer than 5 records").isEmpty();

      f.send(TopologyFixture.json("r4", "a", xs[4]));
      List<ProcessedRecord> out = f.clean.readValuesToList();
      assertThat(out).extracting(ProcessedRecord::getId).containsExactly("r0", "r1", "r2", "r3", "r4");
      double mean = 4.0;
      double std = Math.sqrt((9 + 4 + 1 + 0 + 36) / 5.0);
      for (int i = 0; i < 5; i++) {
        assertThat(out.get(i).getStatsVersion()).isEqualTo(5);
        assertThat(out.get(i).getFeatures().get(0)).isCloseTo((xs[i] - mean) / std, within(1e-12));
        assertThat(out.get(i).getRaw()).containsExactly(xs[i]);
      }

      f.send(TopologyFixture.json("r5", "b", 4.0));
      assertThat(f.clean.readValuesToList()).as("warm: later records flow at once").extracting(ProcessedRecord::getStatsVersion).containsExactly(6L);
    }
  }

  @Test
  void aQuietPartitionBelowTheWarmupReleasesWhatItHoldsAfterTheMaximumWait() throws Exception {
    try (TopologyFixture f = fixture(1000, 2_000)) {
      f.send(TopologyFixture.json("q0", "a", 1));
      f.send(TopologyFixture.json("q1", "b", 3));
      f.driver.advanceWallClockTime(Duration.ofMillis(1_000));
      assertThat(f.clean.readRecordsToList()).as("not quiet for long enough yet").isEmpty();
      f.driver.advanceWallClockTime(Duration.ofMillis(1_500));
      List<ProcessedRecord> out = f.clean.readValuesToList();
      assertThat(out).extracting(ProcessedRecord::getId).containsExactly("q0", "q1");
      assertThat(out).extracting(r -> r.getFeatures().get(0)).containsExactly(-1.0, 1.0);
      assertThat(f.report().reconciles()).as("every record counted once released").isTrue();
    }
  }

  @Test
  void withoutWarmupTheFirstRecordIsNormalizedWithItselfAlone() throws Exception {
    try (TopologyFixture f = fixture(0, 0)) {
      f.send(TopologyFixture.json("s0", "a", 5));
      assertThat(f.clean.readValuesToList()).extracting(r -> r.getFeatures().get(0)).containsExactly(0.0);
    }
  }
}
