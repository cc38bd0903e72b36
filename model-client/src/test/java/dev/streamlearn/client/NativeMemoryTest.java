package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

  private static final String LOWER = "org.bytedeco.javacpp.maxphysicalbytes";
  private String saved;
  private String savedLower;

  @BeforeEach
  void save() {
    saved = System.getProperty(NativeMemory.MAX_PHYSICAL_BYTES);
    savedLower = System.getProperty(LOWER);
    System.clearProperty(NativeMemory.MAX_PHYSICAL_BYTES);
    System.clearProperty(LOWER);
  }

  @AfterEach
  void restore() {
    System.clearProperty(NativeMemory.MAX_PHYSICAL_BYTES);
    System.clearProperty(LOWER);
    if (saved != null) {
      System.setProperty(NativeMemory.MAX_PHYSICAL_BYTES, saved);
    }
    if (savedLower != null) {
      System.setProperty(LOWER, savedLower);
    }
  }

  @Test
  void turnsThePerAllocationCheckOffWhenUnset() {
    NativeMemory.applyDefaults();
    assertThat(System.getProperty(NativeMemory.MAX_PHYSICAL_BYTES)).isEqualTo("0");
  }

  @Test
  void leavesAValueTheJvmWasGivenInEitherSpelling() {
    System.setProperty(NativeMemory.MAX_PHYSICAL_BYTES, "8g");
    NativeMemory.applyDefaults();
    assertThat(System.getProperty(NativeMemory.MAX_PHYSICAL_BYTES)).isEqualTo("8g");

    System.clearProperty(NativeMemory.MAX_PHYSICAL_BYTES);
    System.setProperty(LOWER, "4g");
    NativeMemory.applyDefaults();
    assertThat(System.getProperty(NativeMemory.MAX_PHYSICAL_BYTES)).isNull();
    assertThat(System.getProperty(LOWER)).isEqualTo("4g");
  }

  @Test
  void theGuardCollectsOnlyAboveItsLimitBackingOffWhileThatFreesNothing() {
    AtomicLong rss = new AtomicLong(100);
    AtomicInteger collections = new AtomicInteger();
    NativeMemory.Guard guard = new NativeMemory.Guard(1000, rss::get, collections::incrementAndGet);
    assertThat(guard.check(0)).isEqualTo(1000);
    rss.set(1000);
    assertThat(guard.check(1)).isEqualTo(1000); // at the limit: JavaCPP too collects only above it
    assertThat(collections).hasValue(0);
    rss.set(5000); // above, and a collection frees nothing: the period doubles up to a minute
    long[] waits = new long[8];
    for (int i = 0; i < waits.length; i++) {
      waits[i] = guard.check(2 + i);
    }
    assertThat(waits).containsExactly(2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000);
    assertThat(collections).hasValue(8);
    rss.set(10); // back below: every second again
    assertThat(guard.check(20)).isEqualTo(1000);
    rss.set(-1); // cannot be read: the guard stops
    assertThat(guard.check(21)).isEqualTo(-1);
    assertThat(collections).hasValue(8);
  }

  @Test
  void aCollectionThatFreesEnoughKeepsTheOneSecondPeriod() {
    AtomicLong rss = new AtomicLong(5000);
    NativeMemory.Guard guard = new NativeMemory.Guard(1000, rss::get, () -> rss.set(500));
    assertThat(guard.check(0)).isEqualTo(1000);
    assertThat(guard.collections).isEqualTo(1);
  }

  @Test
  void theGuardLoopStopsWhenMemoryCannotBeRead() throws InterruptedException {
    AtomicInteger reads = new AtomicInteger();
    NativeMemory.Guard guard = new NativeMemory.Guard(1000, () -> reads.incrementAndGet() < 3 ? 10 : -1, () -> {});
    Thread t = new Thread(guard::run);
    t.start();
    t.join(10_000); // two one-second periods, then the unreadable third read ends the loop
    assertThat(t.isAlive()).isFalse();
    assertThat(reads).hasValue(3);
  }

  @Test
  void theLimitIsJavaCppsDefaultAndNoneWhereJavaCppHasNone() {
    assertThat(NativeMemory.javaCppLimit(1L << 30, 1L << 30)).isEqualTo(4L << 30);
    assertThat(NativeMemory.javaCppLimit(1L << 20, 1L << 30)).isEqualTo((1L << 20) + (3L << 30)); // a -D maxBytes of its own
    assertThat(NativeMemory.javaCppLimit(0, 1L << 30)).isZero();
    assertThat(NativeMemory.javaCppLimit(Long.MAX_VALUE, Long.MAX_VALUE)).isZero();
    // JavaCPP's own byte limit in this JVM, as the guard reads it
    assertThat(org.bytedeco.javacpp.Pointer.maxBytes()).isEqualTo(Runtime.getRuntime().maxMemory());
  }

  @Test
  void readsThisProcesssResidentMemory() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status")), "Linux only");
    assertThat(NativeMemory.residentBytes()).isGreaterThan(1 << 20);
  }
}
