package dev.streamlearn.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JavaCPP's guard on the process's resident memory, moved off ND4J's allocation path.
 *
 * <p>While {@code org.bytedeco.javacpp.maxPhysicalBytes} is above 0 (by default JavaCPP's byte limit, the heap limit,
 * plus three times the heap limit) JavaCPP reads {@code /proc/self/statm} on every native allocation it registers, so
 * that it can call the garbage collector once the resident memory passes the limit. ND4J registers shape descriptors
 * and op arguments for every operation, so the read ran thousands of times a second: profiled, 22% of the CPU of both
 * the updater's training thread and a bare DL4J {@code fit} loop.
 *
 * <p>The memory of ND4J's arrays is not counted by JavaCPP (libnd4j allocates it, and frees it when the garbage
 * collector finds the array unreachable), so the resident-memory check is what makes a collection happen for native
 * memory's sake: a large network promoted to the old generation holds little heap and much native memory. So
 * {@link #applyDefaults()} sets the property to 0, and the first {@link Network} of the JVM starts a {@link Guard}
 * ({@link #guardIfChecksOff()}) that makes JavaCPP's check once a second, with JavaCPP's limit, on a daemon thread.
 * JVMs that never build a network (the streams app) get no guard: their native memory is RocksDB's, which a
 * collection does not free.
 */
public final class NativeMemory {

  private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);
  static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";
  /** Set when {@link #applyDefaults()} turned JavaCPP's check off: only then does a guard replace it. */
  private static final AtomicBoolean turnedOff = new AtomicBoolean();
  private static final AtomicBoolean guarding = new AtomicBoolean();

  private NativeMemory() {}

  /**
   * Unless the JVM was given {@code maxPhysicalBytes} (either spelling JavaCPP reads; the value given stands, 0
   * included, and no guard runs): sets it to 0. Call it before the first use of ND4J: JavaCPP reads the setting
   * once, when it loads, and a later call changes nothing JavaCPP does.
   */
  public static void applyDefaults() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) != null || System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") != null) {
      return;
    }
    System.setProperty(MAX_PHYSICAL_BYTES, "0");
    turnedOff.set(true);
  }

  /** Starts the {@link Guard} once, if {@link #applyDefaults()} turned JavaCPP's check off and JavaCPP has a limit. */
  static void guardIfChecksOff() {
    if (!turnedOff.get() || org.bytedeco.javacpp.Pointer.maxPhysicalBytes() != 0 || !guarding.compareAndSet(false, true)) {
      return; // JavaCPP checks itself (it loaded before the property was set), or the guard runs already
    }
    long limit = javaCppLimit(org.bytedeco.javacpp.Pointer.maxBytes(), Runtime.getRuntime().maxMemory());
    if (limit <= 0) {
      return; // JavaCPP too would have no limit
    }
    // (JavaCPP also trims malloc's arenas after its collection; that call is private to it, hence the backing off below.)
    Guard guard = new Guard(limit, NativeMemory::residentBytes, System::gc);
    Thread t = new Thread(guard::run, "streamlearn-native-memory-guard");
    t.setDaemon(true);
    t.setUncaughtExceptionHandler((th, e) -> log.warn("native memory guard stopped: {}", e.toString()));
    t.start();
    log.debug("JavaCPP's per-allocation memory check off; resident memory checked once a second against {} MB", limit >> 20);
  }

  /** JavaCPP's default limit: its byte limit plus three times the heap limit; 0 (none) when it has no byte limit or it overflows. */
  static long javaCppLimit(long maxBytes, long maxHeap) {
    if (maxBytes <= 0 || maxHeap > (Long.MAX_VALUE - maxBytes) / 3) {
      return 0;
    }
    return maxBytes + 3 * maxHeap;
  }

  /** The process's resident set from /proc/self/status, or -1 where it cannot be read (not Linux). */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unexpected format: no guard
    }
    return -1;
  }

  /**
   * JavaCPP's check, periodic: a collection when the resident memory is above the limit. While a collection does not
   * bring it below (memory a collection cannot free: RocksDB's, a model's live arrays), the period doubles up to a
   * minute, so a process that simply needs that much memory is not collected every second.
   */
  static final class Guard {
    static final long BASE_PERIOD_MS = 1000;
    static final long MAX_PERIOD_MS = 60_000;
    final long limit;
    private final LongSupplier resident;
    private final Runnable collect;
    private long periodMs = BASE_PERIOD_MS;
    private long lastWarnNanos;
    private boolean warned;
    long collections;

    Guard(long limit, LongSupplier resident, Runnable collect) {
      this.limit = limit;
      this.resident = resident;
      this.collect = collect;
    }

    /** One check; returns the milliseconds to wait before the next, or -1 when the resident memory cannot be read. */
    long check(long nowNanos) {
      long rss = resident.getAsLong();
      if (rss < 0) {
        return -1;
      }
      if (rss <= limit) {
        periodMs = BASE_PERIOD_MS;
        return periodMs;
      }
      collect.run();
      collections++;
      long after = resident.getAsLong();
      if (!warned || nowNanos - lastWarnNanos >= 60_000_000_000L) {
        warned = true;
        lastWarnNanos = nowNanos;
        log.warn("resident memory {} MB was above JavaCPP's limit of {} MB: garbage collected to free native memory, now {} MB ({} collections so far)",
            rss >> 20, limit >> 20, after >> 20, collections);
      }
      periodMs = after > limit ? Math.min(MAX_PERIOD_MS, periodMs * 2) : BASE_PERIOD_MS;
      return periodMs;
    }

    void run() {
      for (long wait = check(System.nanoTime()); wait >= 0; wait = check(System.nanoTime())) {
        try {
          Thread.sleep(wait); // a period, not a wait for a condition: resident memory is polled, as JavaCPP polls it
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
