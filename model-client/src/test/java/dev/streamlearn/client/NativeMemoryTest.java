package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;

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
}
