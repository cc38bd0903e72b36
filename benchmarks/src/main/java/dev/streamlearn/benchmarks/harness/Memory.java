package dev.streamlearn.benchmarks.harness;

import java.lang.management.ManagementFactory;

/** Heap after a collection, and the process's resident set. */
final class Memory {

  private Memory() {}

  /**
   * The heap after collections that stopped freeing (at most 5): one collection is not enough after the training section.
   * ND4J's arrays are freed through phantom references, so a collection only finds them unreachable; their owners go
   * once ND4J's deallocator threads have run and a later collection comes. A baseline taken after a single collection
   * still held that garbage, and the growth section's heap figure at 10^5 ids (the heap after its run, less this
   * baseline) came out negative in every full run since session 9 (-77 to -493 MB).
   */
  static double heapUsedMb() {
    double used = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      double now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
      if (used - now < 1) {
        return now;
      }
      used = now;
      try {
        Thread.sleep(100); // the reference handler and ND4J's deallocators run between collections: nothing to await on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return used;
  }

  static double peakHeapMb() {
    double peak = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / 1048576.0;
  }

  static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
  }

  static double rssMb() {
    long bytes = dev.streamlearn.client.NativeMemory.residentBytes();
    return bytes < 0 ? -1 : bytes / 1048576.0;
  }
}
