package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeenIdsTest {

  @Test
  void growsByLayersWithTighterRatesAndNeverForgetsALiveKey() {
    SeenIds ids = new SeenIds(0, 100);
    SplittableRandom rnd = new SplittableRandom(3);
    long[] added = new long[10_000];
    for (int i = 0; i < added.length; i++) {
      added[i] = rnd.nextLong();
      ids.add(added[i], i);
    }
    // A layer is full past its capacity; the next has room for twice what lives: 100 (101 keys), 202 (203), 608, 1,826,
    // 5,480, then 16,442 holds the rest of the 10,000: six layers, at 1%, 0.5%, ... 0.03125%.
    assertThat(ids.layers()).isEqualTo(6);
    assertThat(ids.added()).isEqualTo(10_000);
    assertThat(ids.falsePositiveBound()).isCloseTo(0.01 * (2 - 1.0 / 32), org.assertj.core.data.Offset.offset(1e-12));
    for (long h : added) {
      assertThat(ids.mightContain(h)).isTrue();
    }
    // Keys never added: the measured rate stays under the bound of the whole (2%).
    int maybe = 0;
    for (int i = 0; i < 100_000; i++) {
      maybe += ids.mightContain(rnd.nextLong()) ? 1 : 0;
    }
    assertThat(maybe / 100_000.0).isLessThan(0.02);
  }

  @Test
  void dropsOnlyLayersWhollyBeforeTheCutoffAndNeverTheNewest() {
    SeenIds ids = new SeenIds(0, 1);
    ids.add(1, 10);
    ids.add(2, 20); // past its capacity of 1: full
    ids.add(3, 30); // so a second layer, room for 4
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
  void aRateStartsAgainFromTheLayersThatLive() {
    SeenIds ids = new SeenIds(0, 1);
    ids.add(1, 0);
    ids.add(2, 0);
    ids.add(3, 100); // layers: [1%: t 0], [0.5%, room for 4: t 100]
    ids.expireBefore(50);
    assertThat(ids.layers()).isEqualTo(1);
    assertThat(ids.falsePositiveBound()).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-12));
    for (long k = 4; k <= 8; k++) {
      ids.add(k, 100); // the fifth key is past its room for 4: a new layer, at 1% / 2^1 as one layer lives
    }
    assertThat(ids.layers()).isEqualTo(2);
    assertThat(ids.falsePositiveBound()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void aCutoffNeverOverflowsIntoDroppingEverything() {
    assertThat(DedupProcessor.saturatedMinus(Long.MIN_VALUE + 5, 10)).isEqualTo(Long.MIN_VALUE);
    assertThat(DedupProcessor.saturatedMinus(-100, Long.MAX_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(DedupProcessor.saturatedMinus(100, 30)).isEqualTo(70);
  }
}
