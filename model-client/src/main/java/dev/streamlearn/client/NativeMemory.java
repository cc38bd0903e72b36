package dev.streamlearn.client;

/**
 * JavaCPP's settings for the native memory ND4J allocates, applied before ND4J loads.
 *
 * <p>{@code org.bytedeco.javacpp.maxPhysicalBytes}: while above 0 (by default, twice the heap limit) JavaCPP reads
 * {@code /proc/self/statm} on every native allocation, to call the garbage collector when the process's resident
 * memory passes it. ND4J allocates shape descriptors and op arguments natively for every operation, so the check ran
 * thousands of times a second: profiled, 22% of the CPU of both the updater's thread and a bare DL4J {@code fit} loop.
 * With 0 the check is off; JavaCPP's own count of what it allocated still bounds it ({@code maxBytes}, by default the
 * heap limit), and a service that wants the resident-memory guard back sets the property itself.
 */
public final class NativeMemory {

  static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

  private NativeMemory() {}

  /**
   * Sets the defaults above where the JVM was not given a value (either spelling JavaCPP reads). Call it before the first
   * use of ND4J: JavaCPP reads the settings once, when it loads.
   */
  public static void applyDefaults() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) == null && System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
      System.setProperty(MAX_PHYSICAL_BYTES, "0");
    }
  }
}
