package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BalanceReportTest {

  @Test
  void smoteTargetsTheRatioOfTheLargestRealClassAndTopsUpASmallClassAtRest() {
    Map<String, Long> real = new TreeMap<>(Map.of("fraud", 1200L, "legit", 16000L, "review", 2800L, "rare", 4L));
    Map<String, Long> emitted = Map.of("fraud", 8000L, "legit", 16000L, "review", 8010L, "rare", 4L);
    BalanceReport b = BalanceReport.of(real, emitted, RebalanceProcessor.Mode.SMOTE, 0.5, 10);
    assertThat(b.rows()).extracting(BalanceReport.Row::label).containsExactly("fraud", "legit", "rare", "review");
    // 'rare' is too small to be eligible (4 < 10) but has two records: it is topped up at rest, so its target is the others'.
    assertThat(b.rows()).extracting(BalanceReport.Row::target).containsExactly(8000L, 16000L, 8000L, 8000L);
    assertThat(b.rows()).extracting(BalanceReport.Row::eligible).as("part of the balance").containsExactly(true, true, true, true);
    assertThat(b.rows().get(3).ofTarget()).isEqualTo(8010 / 8000.0);
    assertThat(b.minMaxRatio()).as("its 4 records count: not yet settled").isEqualTo(4 / 16000.0);
    BalanceReport settled = BalanceReport.of(real, Map.of("fraud", 8000L, "legit", 16000L, "review", 8010L, "rare", 8000L),
        RebalanceProcessor.Mode.SMOTE, 0.5, 10);
    assertThat(settled.minMaxRatio()).isEqualTo(0.5); // 8000 / 16000
  }

  @Test
  void smoteSkipsAClassOfOneRecord() {
    Map<String, Long> real = new TreeMap<>(Map.of("a", 100L, "b", 1L));
    BalanceReport b = BalanceReport.of(real, Map.of("a", 100L, "b", 1L), RebalanceProcessor.Mode.SMOTE, 1.0, 10);
    assertThat(b.rows()).extracting(BalanceReport.Row::target).containsExactly(100L, 1L);
    assertThat(b.minMaxRatio()).as("one record: nothing to interpolate, not part of the balance").isEqualTo(1.0);
    assertThat(b.rows()).extracting(BalanceReport.Row::eligible).containsExactly(true, false);
  }

  @Test
  void undersamplingTargetsTheSmallestEligibleClassOverTheRatio() {
    Map<String, Long> real = new TreeMap<>(Map.of("a", 9000L, "b", 1000L, "c", 3L));
    BalanceReport b = BalanceReport.of(real, Map.of("a", 2001L, "b", 1000L, "c", 3L), RebalanceProcessor.Mode.UNDERSAMPLE, 0.5, 10);
    assertThat(b.rows()).extracting(BalanceReport.Row::target).containsExactly(2000L, 1000L, 3L);
  }
}
