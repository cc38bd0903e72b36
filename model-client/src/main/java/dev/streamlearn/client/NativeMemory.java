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
 * <p>While {@code org.bytedeco.javacpp.maxPhysicalBytes} is above 0 (by default the heap limit plus three times it)
 * JavaCPP reads {@code /proc/self/statm} on every native allocation it registers, so that it can call the garbage
 * collector once the resident memory passes the limit. ND4J registers shape descriptors and op arguments for every
 * operation, so the read ran thousands of times a second: profiled, 22% of the CPU of both the updater's training
 * thread and a bare DL4J {@code fit} loop.
 *
 * <p>The memory of ND4J's arrays is not counted by JavaCPP (libnd4j allocates it, and frees it when the garbage
 * collector finds the array unreachable), so the resident-memory check is the only thing that makes a collection happen
 * for native memory's sake: a large network promoted to the old generation holds little heap and much native memory.
 * {@link #applyDefaults()} therefore sets the property to 0 only together with a {@link Guard} that does the same check
 * once a second on a daemon thread, with JavaCPP's default limit, and asks for a collection above it.
 */
public final class NativeMemory {

  private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);
  static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";
  private static final AtomicBoolean guarding = new AtomicBoolean();

  private NativeMemory() {}

  /**
   * Unless the JVM was given {@code maxPhysicalBytes} (either spelling JavaCPP reads, which then keeps its own check):
   * sets it to 0 and starts the {@link Guard}. Call it before the first use of ND4J: JavaCPP reads the setting once,
   * when it loads, and a call after that changes nothing but starts the guard.
   */
  public static void applyDefaults() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) != null || System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") != null) {
      return;
    }
    System.setProperty(MAX_PHYSICAL_BYTES, "0");
    if (guarding.compareAndSet(false, true)) {
      Guard guard = new Guard(defaultLimit(), NativeMemory::residentBytes, System::gc);
      Thread t = new Thread(guard::runEverySecond, "streamlearn-native-memory-guard");
      t.setDaemon(true);
      t.start();
      log.debug("JavaCPP's per-allocation memory check off; resident memory checked once a second against {} bytes", guard.limit);
    }
  }

  /** JavaCPP's default limit: its byte limit (the heap limit) plus three times the heap limit. */
  static long defaultLimit() {
    long heap = Runtime.getRuntime().maxMemory();
    return heap == Long.MAX_VALUE ? Long.MAX_VALUE : 4 * heap;
  }

  /** The process's resident set from /proc/self/status, or -1 where it cannot be read (not Linux). */
  static long residentBytes() {
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

  /** One check: a collection when the resident memory is above the limit (logged at most once a minute). */
  static final class Guard {
    final long limit;
    private final LongSupplier resident;
    private final Runnable collect;
    private long lastWarnNanos = Long.MIN_VALUE;
    long collections;

    Guard(long limit, LongSupplier resident, Runnable collect) {
      this.limit = limit;
      this.resident = resident;
      this.collect = collect;
    }

    /** @return whether it asked for a collection */
    boolean check(long nowNanos) {
      long rss = resident.getAsLong();
      if (rss < 0 || rss <= limit) {
        return false;
      }
      collect.run();
      collections++;
      if (lastWarnNanos == Long.MIN_VALUE || nowNanos - lastWarnNanos >= 60_000_000_000L) {
        lastWarnNanos = nowNanos;
        log.warn("resident memory {} MB is above {} MB (4 x the heap limit): asked for a garbage collection to free native memory"
            + " ({} so far); native memory this high usually means many networks are held at once", rss >> 20, limit >> 20, collections);
      }
      return true;
    }

    void runEverySecond() {
      if (resident.getAsLong() < 0) {
        return; // nothing to read on this system
      }
      while (true) {
        try {
          Thread.sleep(1000); // a period, not a wait for a condition: the check polls memory the OS reports
        } catch (InterruptedException e) {
          return;
        }
        check(System.nanoTime());
      }
    }
  }
}
