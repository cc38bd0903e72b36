package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The remembered neighbour search must answer exactly as a fresh scan would, in the same order, whatever the ring did. */
class ReservoirNeighbourCacheTest {

  @Property(tries = 200)
  void rememberedNeighboursAreTheScansAnswer(@ForAll @IntRange(min = 2, max = 40) int capacity, @ForAll @IntRange(min = 1, max = 7) int k,
      @ForAll @IntRange(min = 1, max = 4) int dims, @ForAll @IntRange(min = 1, max = 6) int grid, @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    // A coarse grid makes equal distances (ties go to the lower slot) and repeated ids (excluded from their own list) common.
    SplittableRandom rnd = new SplittableRandom(seed);
    Reservoir res = new Reservoir(capacity);
    for (int step = 0; step < 6 * capacity; step++) {
      double[] x = new double[dims];
      for (int d = 0; d < dims; d++) {
        x[d] = rnd.nextInt(grid);
      }
      res.add(new Reservoir.Sample("id" + rnd.nextInt(3 * capacity), x));
      for (int ask = rnd.nextInt(4); ask > 0; ask--) {
        int slot = rnd.nextInt(res.size());
        int kk = rnd.nextInt(8) == 0 ? k + 1 : k;
        List<Reservoir.Sample> remembered = res.nearest(slot, kk);
        Reservoir.Sample base = res.get(slot);
        assertThat(remembered).containsExactlyElementsOf(res.nearest(base.x(), base.id(), kk));
      }
    }
  }

  @Property(tries = 200)
  void everyListKeptUpToDateAfterEveryAddIsTheScansAnswer(@ForAll @IntRange(min = 2, max = 12) int capacity,
      @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 3) int grid, @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    // Every slot asked after every add: each list is then updated in place by the next add (a sample entering it, the
    // replaced one leaving it, a repeated id that must stay out) rather than found again by a scan. Some adds repeat a
    // stored object, some slots are restored, some coordinates are infinite, NaN or overflow when squared.
    SplittableRandom rnd = new SplittableRandom(seed);
    Reservoir res = new Reservoir(capacity);
    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e155, -1e155};
    for (int step = 0; step < 8 * capacity; step++) {
      int pick = rnd.nextInt(20);
      if (pick == 0 && res.size() > 0) {
        res.add(res.get(rnd.nextInt(res.size()))); // the same object in two slots
      } else if (pick == 1 && res.size() > 0) {
        int slot = rnd.nextInt(res.size());
        res.restore(slot, res.get(slot), res.seen());
      } else {
        double[] x = new double[2];
        for (int d = 0; d < 2; d++) {
          // Now and then a value whose distances are infinite or NaN (squares that overflow, inf - inf).
          x[d] = rnd.nextInt(10) == 0 ? special[rnd.nextInt(special.length)] : rnd.nextInt(grid);
        }
        res.add(new Reservoir.Sample("id" + rnd.nextInt(2 * capacity), x));
      }
      for (int slot = 0; slot < res.size(); slot++) {
        // The whole remembered list, past the k asked for: exactly a scan's answer as deep as it goes, and a complete one
        // holds every sample with another id.
        Reservoir.Known known = res.known(slot);
        Reservoir.Sample base = res.get(slot);
        if (known != null) {
          String as = "remembered list of slot " + slot + " after " + (step + 1) + " adds";
          if (!known.samples().isEmpty()) {
            assertThat(known.samples()).as(as).containsExactlyElementsOf(res.nearest(base.x(), base.id(), known.samples().size()));
          }
          if (known.complete()) {
            long others = java.util.stream.IntStream.range(0, res.size()).filter(i -> !res.get(i).id().equals(base.id())).count();
            assertThat(known.samples()).as(as).hasSize((int) others);
          }
        }
        assertThat(res.nearest(slot, k)).as("slot %d after %d adds", slot, step + 1).containsExactlyElementsOf(res.nearest(base.x(), base.id(), k));
      }
    }
  }

  @Property(tries = 50)
  void aRestoredRingAnswersAsTheOriginal(@ForAll @IntRange(min = 3, max = 30) int capacity, @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Reservoir res = new Reservoir(capacity);
    for (int i = 0; i < 2 * capacity; i++) {
      res.add(new Reservoir.Sample("id" + i, new double[] {rnd.nextInt(4), rnd.nextInt(4)}));
      res.nearest(rnd.nextInt(res.size()), 3);
    }
    Reservoir restored = new Reservoir(capacity);
    for (int slot = 0; slot < capacity; slot++) {
      restored.restore(slot, res.get(slot), res.seen());
    }
    for (int slot = 0; slot < capacity; slot++) {
      assertThat(restored.nearest(slot, 3)).containsExactlyElementsOf(res.nearest(slot, 3));
    }
  }

  @org.junit.jupiter.api.Test
  void aListOutlivesTheReplacementOfItsNearestWithoutAScan() {
    // Slot 0 at 9.5, slot i at i: slot 9's 2 nearest are slots 0 and 8, and its remembered search goes deeper (7, 6).
    Reservoir res = new Reservoir(10);
    res.add(new Reservoir.Sample("p0", new double[] {9.5}));
    for (int i = 1; i < 10; i++) {
      res.add(new Reservoir.Sample("p" + i, new double[] {i}));
    }
    assertThat(res.nearest(9, 2)).extracting(Reservoir.Sample::id).containsExactly("p0", "p8");
    long scans = res.searches();
    // The ring's next add replaces slot 0, the nearest, with a sample far away. A list only k deep would have to be
    // found again (its (k+1)-th was unknown); this one still knows 3.
    res.add(new Reservoir.Sample("far", new double[] {100}));
    assertThat(res.nearest(9, 2)).extracting(Reservoir.Sample::id).containsExactly("p8", "p7");
    assertThat(res.searches()).isEqualTo(scans);
    // The next replaces slot 1 with a sample nearer than any: it enters the list in first place, still without a scan.
    res.add(new Reservoir.Sample("near", new double[] {9.25}));
    assertThat(res.nearest(9, 2)).extracting(Reservoir.Sample::id).containsExactly("near", "p8");
    assertThat(res.searches()).isEqualTo(scans);
    assertThat(res.nearest(res.get(9).x(), "p9", 2)).extracting(Reservoir.Sample::id).containsExactly("near", "p8");
  }
}
