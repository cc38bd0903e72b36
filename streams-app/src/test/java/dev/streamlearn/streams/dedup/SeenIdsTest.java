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
  void aKeyPastTheNewestLayersSliceStartsALayerWithAQuarterMoreRoomThanItGot() {
    SeenIds ids = new SeenIds(100, 1, 100); // room for 100: only time cuts it here
    for (long k = 0; k < 40; k++) {
      ids.add(k, 1000 + k); // slice 10 (1,000-1,099)
    }
    assertThat(ids.layers()).isEqualTo(1);
    ids.add(99, 1099);
    assertThat(ids.layers()).isEqualTo(1);
    ids.add(100, 1100); // slice 11: a new layer, room for 41 + 41 / 4 = 51
    assertThat(ids.layers()).isEqualTo(2);
    for (long k = 101; k < 152; k++) {
      ids.add(k, 1101); // 52 keys in slice 11: one past its room, so the next key starts a layer of twice the room
    }
    assertThat(ids.layers()).isEqualTo(2);
    ids.add(200, 1102);
    assertThat(ids.layers()).isEqualTo(3);
    assertThat(ids.mightContain(99)).isTrue();
    assertThat(ids.mightContain(200)).isTrue();
  }

  /** Late keys, however late, go into the newest layer: they never start one (the first version cut a layer for almost every record). */
  @Test
  void lateKeysNeverStartALayer() {
    long slice = 3_500;
    SeenIds ids = new SeenIds(0, 64, slice);
    long t = 1_000_000;
    for (int i = 0; i < 4_000; i++) {
      ids.add(2L * i, t + i); // on time
      ids.add(2L * i + 1, t + i - 4_000); // more than a slice late
      ids.expireBefore(DedupProcessor.saturatedMinus(t + i, 7_000 + slice));
    }
    // 4,000 ms of on-time event time cross one slice boundary; the rest is growth by fullness from 64 keys (the first
    // version, which cut a layer whenever a key was past the newest layer's oldest, made 242 layers here)
    assertThat(ids.layers()).isLessThanOrEqualTo(10);
    for (long k = 0; k < 8_000; k++) {
      assertThat(ids.mightContain(k)).isTrue();
    }
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
