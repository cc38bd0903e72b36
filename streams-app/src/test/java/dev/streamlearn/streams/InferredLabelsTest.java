package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Which labels an inferred spec keeps: rare classes yes, junk seen once or twice no. */
class InferredLabelsTest {

  @Test
  void realDataWithGapsIsToldWhichSettingsKeepItsRecords() {
    // Pima diabetes (UCI, as R's mlbench has it, 768 records): glucose missing in 5, pressure 35, triceps 227, insulin 374,
    // mass 11; age never.
    Map<String, Integer> support = new LinkedHashMap<>(Map.of("glucose", 763, "pressure", 733, "triceps", 541, "insulin", 394, "mass", 757,
        "age", 768, "stray", 2));
    java.util.Set<String> kept = java.util.Set.of("glucose", "pressure", "triceps", "insulin", "mass", "age");
    assertThat(DatasetSpecResolver.coverageAdvice(support, 768, kept, "reject", "reject")).singleElement().asString()
        .contains("insulin 51%, triceps 70%, pressure 95%, mass 98%;", "MISSING_FEATURE", "missing=impute-mean")
        .as("lacked by under 1%: dirty data's share, not a column with gaps").doesNotContain("glucose").doesNotContain("age");
    assertThat(DatasetSpecResolver.coverageAdvice(support, 768, kept, "impute-mean", "reject")).isEmpty();

    java.util.Set<String> withoutInsulin = java.util.Set.of("glucose", "pressure", "triceps", "mass", "age");
    assertThat(DatasetSpecResolver.coverageAdvice(support, 768, withoutInsulin, "impute-mean", "reject")).singleElement().asString()
        .contains("left out", "insulin 51%", "EXTRA_FEATURE", "extra=drop").doesNotContain("stray");
    assertThat(DatasetSpecResolver.coverageAdvice(support, 768, withoutInsulin, "impute-mean", "drop")).isEmpty();
    // 99.7% carrying it (the quickstart's faults) is not a gap, and never reads "100%".
    assertThat(DatasetSpecResolver.coverageAdvice(Map.of("hour", 997), 1000, java.util.Set.of("hour"), "reject", "reject")).isEmpty();
    assertThat(DatasetSpecResolver.coverageAdvice(Map.of("hour", 989), 1000, java.util.Set.of("hour"), "reject", "reject")).singleElement()
        .asString().contains("hour 98%");
  }

  @Test
  void keepsShuttlesRareClasses() {
    // Statlog Shuttle's class sizes (UCI; 58,000 records): the four rarest are 0.02% to 0.3% of the data.
    Map<String, Integer> support = new LinkedHashMap<>();
    int[] sizes = {45_586, 50, 171, 8_903, 3_267, 10, 13};
    for (int i = 0; i < sizes.length; i++) {
      support.put(String.valueOf(i + 1), sizes[i]);
    }
    assertThat(DatasetSpecResolver.inferredLabels(support, 58_000, 3)).containsExactly("1", "2", "3", "4", "5", "6", "7");
  }

  @Test
  void leavesOutLabelsSeenFewerThanTheMinimum() {
    Map<String, Integer> support = new LinkedHashMap<>(Map.of("legit", 900, "fraud", 3, "fraudd", 2, "?", 1));
    assertThat(DatasetSpecResolver.inferredLabels(support, 906, 3)).containsExactly("fraud", "legit");
    assertThat(DatasetSpecResolver.inferredLabels(support, 906, 2)).containsExactly("fraud", "fraudd", "legit");
  }

  @Test
  void aShortReadIsNeverStricterThanOnePercent() {
    // 150 records (the app started on a topic with fewer than the warm-up, then quiet): 1% is 1.5, so 2 records are a class.
    Map<String, Integer> support = new LinkedHashMap<>(Map.of("a", 147, "b", 2, "c", 1));
    assertThat(DatasetSpecResolver.inferredLabels(support, 150, 3)).containsExactly("a", "b");
    assertThat(DatasetSpecResolver.inferredLabels(Map.of("a", 60, "b", 1), 61, 3)).as("1% of 61 is under one record").containsExactly("a", "b");
  }

  @Test
  void theShareBoundsTheClassesOfALargeRead() {
    // 100,000 records: 0.01% is 10, so a label seen 9 times is left out even above the minimum of 3.
    Map<String, Integer> support = new LinkedHashMap<>(Map.of("a", 99_981, "b", 10, "c", 9));
    assertThat(DatasetSpecResolver.inferredLabels(support, 100_000, 3)).containsExactly("a", "b");
  }

  @Test
  void numericLabelsSortAsNumbers() {
    Map<String, Integer> support = new LinkedHashMap<>(Map.of("10", 5, "9", 5, "-1", 5, "2.5", 5));
    assertThat(DatasetSpecResolver.inferredLabels(support, 20, 3)).containsExactly("-1", "2.5", "9", "10");
  }

  /** Real classes of any size from the minimum up, junk labels that never repeat more than twice: the spec is the real classes. */
  @Property(tries = 200)
  void realClassesInJunkOut(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int classes, @ForAll @IntRange(min = 0, max = 500) int junk) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, Integer> support = new LinkedHashMap<>();
    int n = 0;
    int[] sizes = new int[classes];
    for (int c = 0; c < classes; c++) {
      // Log-uniform from 3 to 100,000: tiny classes, near-equal ones, dominant ones.
      sizes[c] = (int) Math.round(Math.exp(Math.log(3) + rnd.nextDouble() * (Math.log(100_000) - Math.log(3))));
      n += sizes[c];
    }
    int floor = (int) Math.ceil(0.0002 * (n + 2 * junk)); // twice the share: raising classes to it adds less than it
    for (int c = 0; c < classes; c++) {
      support.put("class-" + c, Math.max(sizes[c], floor));
    }
    for (int j = 0; j < junk; j++) {
      support.put("junk-" + j, 1 + rnd.nextInt(2));
    }
    int total = support.values().stream().mapToInt(Integer::intValue).sum();
    // Under 300 records the old 1% rule applies (aShortReadIsNeverStricterThanOnePercent): a label seen twice can be a class.
    net.jqwik.api.Assume.that(total >= 300);
    List<String> labels = DatasetSpecResolver.inferredLabels(support, total, 3);
    assertThat(labels).hasSize(classes).allSatisfy(l -> assertThat(l).startsWith("class-"));
  }
}
