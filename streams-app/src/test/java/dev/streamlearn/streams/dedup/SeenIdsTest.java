package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeenIdsTest {

  /** A slice no test run reaches: layers are cut only when full. */
  private static final long NEVER = Long.MAX_VALUE / 4;

  @Test
  void growsByLayersAndNeverForgetsALiveKey() {
    SeenIds ids = new SeenIds(0, 100, NEVER);
    SplittableRandom rnd = new SplittableRandom(3);
    long[] added = new long[10_000];
    for (int i = 0; i < added.length; i++) {
      added[i] = rnd.nextLong();
      ids.add(added[i], i);
    }
    // A layer is full past its capacity; the next has room for twice as many: 100 (101 keys), 200 (201), 400, 800,
    // 1,600, 3,200, then 6,400 holds the rest of the 10,000: seven layers, each at 1%.
    assertThat(ids.layers()).isEqualTo(7);
    assertThat(ids.added()).isEqualTo(10_000);
    assertThat(ids.falsePositiveBound()).isCloseTo(0.07, org.assertj.core.data.Offset.offset(1e-12));
    for (long h : added) {
      assertThat(ids.mightContain(h)).isTrue();
    }
    // Keys never added: the measured rate stays under the bound of the whole (the newest layer is part full).
    int maybe = 0;
    for (int i = 0; i < 100_000; i++) {
      maybe += ids.mightContain(rnd.nextLong()) ? 1 : 0;
    }
    assertThat(maybe / 100_000.0).isLessThan(ids.falsePositiveBound());
  }

  @Test
  void dropsOnlyLayersWhollyBeforeTheCutoffAndNeverTheNewest() {
    SeenIds ids = new SeenIds(0, 1, NEVER);
    ids.add(1, 10);
    ids.add(2, 20); // past its capacity of 1: full
    ids.add(3, 30); // so a second layer, room for 2
    ids.add(4, 15); // an older event time in the newer layer: that layer's newest is still 30
    assertThat(ids.layers()).isEqualTo(2);
    ids.expireBefore(20); // the first layer's newest is 20: not before 20, kept
    assertThat(ids.layers()).isEqualTo(2);
    ids.expireBefore(21);
    assertThat(ids.layers()).isEqualTo(1);
    assertThat(ids.mightContain(3)).isTrue();
    assertThat(ids.mightContain(4)).isTrue();
    ids.expireBefore(Long.MAX_VALUE); // the newest layer always stays
    assertThat(ids.layers()).isEqualTo(1);
    assertThat(ids.mightContain(3)).isTrue();
  }

  @Test
  void aLayerEndsWhenItsEventTimesSpanASliceWithRoomForTwiceWhatItGot() {
    SeenIds ids = new SeenIds(0, 1, 100);
    for (long k = 0; k < 10; k++) {
      ids.add(k, 1000 + k); // 10 keys over 10 ms: past room for 1, so layers of 2, 4, 8 (full, not sliced)
    }
    int full = ids.layers();
    ids.add(99, 1100); // 100 ms after the newest layer's oldest: a new layer
    assertThat(ids.layers()).isEqualTo(full + 1);
    assertThat(ids.mightContain(99)).isTrue();
    ids.add(98, 1050); // a late key: into the newest layer, no new one
    assertThat(ids.layers()).isEqualTo(full + 1);
  }

  /**
   * A task that runs for forty windows at a steady rate, expiring layers as the processor does: the filter's memory
   * must follow the keys of one window, not every key since the task started (the first version doubled every layer,
   * so its memory grew without end).
   */
  @Test
  void memoryFollowsTheWindowNotTheWholeStream() {
    int perWindow = 20_000; // one key a millisecond: a window of 20,000 ms holds 20,000 keys
    long window = perWindow;
    long segment = window / 2;
    SeenIds ids = new SeenIds(0, 1024, segment);
    SplittableRandom rnd = new SplittableRandom(9);
    long early = 0;
    long late = 0;
    int maxLayers = 0;
    long t = 0;
    for (int w = 0; w < 40; w++) {
      for (int i = 0; i < perWindow; i++) {
        t++;
        ids.add(rnd.nextLong(), t);
        ids.expireBefore(DedupProcessor.saturatedMinus(t, window + segment));
        if (w >= 2) {
          maxLayers = Math.max(maxLayers, ids.layers());
          if (w < 10) {
            early = Math.max(early, ids.sizeBytes());
          } else {
            late = Math.max(late, ids.sizeBytes());
          }
        }
      }
    }
    assertThat(late).isLessThanOrEqualTo(early); // steady: no growth after the first windows
    assertThat(maxLayers).isLessThanOrEqualTo(5); // about the window and a segment, in segments, and the newest
    // about one filter sized for twice the window's keys at 1% (the design before layers)
    assertThat(late).isLessThanOrEqualTo(new SeenIdFilter(2L * perWindow).sizeBytes());
  }

  @Test
  void aCutoffNeverOverflowsIntoDroppingEverything() {
    assertThat(DedupProcessor.saturatedMinus(Long.MIN_VALUE + 5, 10)).isEqualTo(Long.MIN_VALUE);
    assertThat(DedupProcessor.saturatedMinus(-100, Long.MAX_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(DedupProcessor.saturatedMinus(100, 30)).isEqualTo(70);
    assertThat(DedupProcessor.saturatedPlus(Long.MAX_VALUE - 5, 10)).isEqualTo(Long.MAX_VALUE);
    assertThat(DedupProcessor.saturatedPlus(5, 10)).isEqualTo(15);
  }
}
