package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Undersampling and class weights on random streams of 2 to 8 classes, late and tiny ones included. */
class ClassBalancePropertiesTest {

  @Property(tries = 200)
  void undersamplingDropsOnlyOverTheCapAndNeverTheSmallestOrATinyClass(@ForAll @IntRange(min = 2, max = 8) int classes, @ForAll long seed,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double ratio, @ForAll @IntRange(min = 2, max = 20) int minRecords) {
    int[] labels = stream(classes, seed, minRecords);
    ClassBalance b = new ClassBalance(classes, ratio, minRecords, 10);
    long[] real = new long[classes];
    long[] kept = new long[classes];
    long[] keptWhenCapLastFell = new long[classes];
    long cap = Long.MAX_VALUE;
    for (int label : labels) {
      real[label]++;
      b.countReal(label);
      long smallestEligible = Arrays.stream(real).filter(n -> n >= minRecords).min().orElse(-1);
      long newCap = smallestEligible < 0 ? Long.MAX_VALUE : (long) Math.ceil(Math.max(1, smallestEligible / ratio * (1 - 1e-12)));
      if (newCap < cap) {
        keptWhenCapLastFell = kept.clone();
      }
      cap = newCap;
      boolean keep = b.keeps(label);
      assertThat(keep).as("kept exactly while under the cap %d", cap).isEqualTo(kept[label] < cap);
      if (real[label] < minRecords || real[label] == smallestEligible) {
        assertThat(keep).as("the smallest eligible class and classes with too few records are never dropped").isTrue();
      }
      if (keep) {
        kept[label]++;
        b.countEmitted(label, 1);
      }
    }
    for (int c = 0; c < classes; c++) {
      // Over the cap only by what was kept before a late class lowered it.
      assertThat(kept[c]).isLessThanOrEqualTo(Math.max(cap == Long.MAX_VALUE ? real[c] : cap, keptWhenCapLastFell[c]));
    }
  }

  @Property(tries = 200)
  void weightsAreBetweenOneAndTheBoundAndOneForTheLargestClass(@ForAll @IntRange(min = 2, max = 8) int classes, @ForAll long seed,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double ratio, @ForAll @DoubleRange(min = 1, max = 50) double maxWeight) {
    int[] labels = stream(classes, seed, 10);
    ClassBalance b = new ClassBalance(classes, ratio, 10, maxWeight);
    for (int label : labels) {
      b.countReal(label);
      double w = b.weight(label);
      double expected = Math.min(maxWeight, Math.max(1, ratio * b.maxReal() / b.real(label)));
      assertThat(w).isEqualTo(expected).isBetween(1.0, maxWeight);
      if (b.real(label) == b.maxReal()) {
        assertThat(w).isEqualTo(1.0);
      }
    }
  }

  /** Random class sizes (some tiny), some classes starting late, in a random order. */
  static int[] stream(int classes, long seed, int minRecords) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] sizes = new int[classes];
    double[] starts = new double[classes];
    for (int c = 0; c < classes; c++) {
      sizes[c] = rnd.nextDouble() < 0.2 ? rnd.nextInt(1, minRecords + 1) : rnd.nextInt(minRecords, 800);
      starts[c] = c > 0 && rnd.nextDouble() < 0.3 ? rnd.nextDouble(0.2, 0.9) : 0;
    }
    return OversamplerPropertiesTest.order(new OversamplerPropertiesTest.Classes(sizes, starts), rnd, false);
  }
}
