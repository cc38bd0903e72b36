package dev.streamlearn.benchmarks.harness;

import java.lang.management.ManagementFactory;

/** Heap after a collection, and the process's resident set. */
final class Memory {

  private Memory() {}

  static double heapUsedMb() {
    System.gc();
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed() / 1048576.0;
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
