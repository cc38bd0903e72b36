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
  void turnsThePerAllocationCheckOffWhenUnsetAndGuardsOnAThread() {
    NativeMemory.applyDefaults();
    assertThat(System.getProperty(NativeMemory.MAX_PHYSICAL_BYTES)).isEqualTo("0");
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals("streamlearn-native-memory-guard") && t.isDaemon());
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
  void theGuardCollectsOnlyAboveItsLimitAndNotWhereMemoryCannotBeRead() {
    AtomicLong rss = new AtomicLong(100);
    AtomicInteger collections = new AtomicInteger();
    NativeMemory.Guard guard = new NativeMemory.Guard(1000, rss::get, collections::incrementAndGet);
    assertThat(guard.check(0)).isFalse();
    rss.set(1000);
    assertThat(guard.check(1)).isFalse(); // at the limit: JavaCPP too collects only above it
    rss.set(1001);
    assertThat(guard.check(2)).isTrue();
    assertThat(guard.check(3)).isTrue();
    rss.set(-1);
    assertThat(guard.check(4)).isFalse();
    assertThat(collections).hasValue(2);
  }

  @Test
  void readsThisProcesssResidentMemoryAndJavaCppsDefaultLimit() {
    assertThat(NativeMemory.residentBytes()).isGreaterThan(1 << 20); // a JVM holds more than a megabyte (Linux)
    assertThat(NativeMemory.defaultLimit()).isEqualTo(4 * Runtime.getRuntime().maxMemory());
  }
}
