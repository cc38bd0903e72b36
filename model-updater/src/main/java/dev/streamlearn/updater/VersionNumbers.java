package dev.streamlearn.updater;

import dev.streamlearn.avro.ModelPointer;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The next version number: one above the highest ever published. The pointer's lastVersion survives
 * pruning (the snapshot topic's newest versions may be gone), so a number is never given twice.
 */
final class VersionNumbers {

  private VersionNumbers() {}

  static long next(NavigableMap<Long, ?> versions, Optional<ModelPointer> pointer) {
    long max = versions.isEmpty() ? 0 : versions.lastKey();
    if (pointer.isPresent()) {
      ModelPointer p = pointer.get();
      max = Math.max(max, Math.max(p.getLastVersion(), Math.max(p.getHead(), p.getVersion())));
    }
    return max + 1;
  }
}
