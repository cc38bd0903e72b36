package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BalanceReportTest {

  @Test
  void smoteTargetsTheRatioOfTheLargestRealClassAndSkipsClassesWithTooFewRecords() {
    Map<String, Long> real = new TreeMap<>(Map.of("fraud", 1200L, "legit", 16000L, "review", 2800L, "rare", 4L));
    Map<String, Long> emitted = Map.of("fraud", 8000L, "legit", 16000L, "review", 8010L, "rare", 4L);
    BalanceReport b = BalanceReport.of(real, emitted, RebalanceProcessor.Mode.SMOTE, 0.5, 10);
    assertThat(b.rows()).extracting(BalanceReport.Row::label).containsExactly("fraud", "legit", "rare", "review");
    assertThat(b.rows()).extracting(BalanceReport.Row::target).containsExactly(8000L, 16000L, 4L, 8000L);
    assertThat(b.rows()).extracting(BalanceReport.Row::eligible).containsExactly(true, true, false, true);
    assertThat(b.rows().get(3).ofTarget()).isEqualTo(8010 / 8000.0);
    assertThat(b.minMaxRatio()).isEqualTo(0.5); // 8000 / 16000 among eligible classes: the 4 rare records do not count
  }

  @Test
  void undersamplingTargetsTheSmallestEligibleClassOverTheRatio() {
    Map<String, Long> real = new TreeMap<>(Map.of("a", 9000L, "b", 1000L, "c", 3L));
    BalanceReport b = BalanceReport.of(real, Map.of("a", 2001L, "b", 1000L, "c", 3L), RebalanceProcessor.Mode.UNDERSAMPLE, 0.5, 10);
    assertThat(b.rows()).extracting(BalanceReport.Row::target).containsExactly(2000L, 1000L, 3L);
  }
}
