package dev.streamlearn.streams.dedup;

import java.util.ArrayList;
import java.util.List;

/**
 * The filter in front of the dedup store, grown by adding layers instead of rebuilt from the store.
 *
 * <p>A rebuild scanned the whole store twice inside the stream thread: set against the latency benchmark's p99 per
 * second, the four tasks' rebuilds at 65,536 and 131,072 keys (42-105 ms each, one after another) were the seconds
 * whose p99 doubled. Here the newest layer takes the new keys, and "maybe seen" is asked of every layer (after
 * Almeida et al.'s scalable Bloom filters). A new layer starts when the newest is full (with room for twice as many:
 * the rate outgrew it) or when the event times put into it span a slice of the window (with room for a quarter more
 * than the newest got: the rate as it is now). Every layer is sized for 1%, so the whole answers "maybe" for at most
 * 1% of new keys per live layer (about 4% with four): a store lookup more, never a wrong answer. Tightening each
 * layer's rate instead would keep the whole under 2%, at 1.6 times the memory.
 *
 * <p>Layers forget as the store does: each remembers the newest event time put into it, and a layer whose newest is
 * older than anything the store can still return is dropped ({@link #expireBefore}); the newest layer always stays.
 * With layers cut by time, the live ones cover about the window and one slice, so memory follows the keys of the
 * window (about what one filter sized at twice the window's keys took), however long the task runs.
 */
final class SeenIds {

  private static final class Layer {
    final SeenIdFilter filter;
    long oldestEventTime = Long.MAX_VALUE;
    long newestEventTime = Long.MIN_VALUE;

    Layer(SeenIdFilter filter) {
      this.filter = filter;
    }
  }

  private final long minCapacity;
  private final long sliceMs;
  private final List<Layer> layers = new ArrayList<>();

  /**
   * One layer with room for {@code capacity} keys (at least {@code minCapacity}).
   *
   * @param sliceMs the event-time span after which a new layer starts even if the newest is not full
   */
  SeenIds(long capacity, long minCapacity, long sliceMs) {
    if (sliceMs < 1) {
      throw new IllegalArgumentException("slice must be positive: " + sliceMs);
    }
    this.minCapacity = minCapacity;
    this.sliceMs = sliceMs;
    layers.add(new Layer(new SeenIdFilter(Math.max(minCapacity, capacity))));
  }

  boolean mightContain(long hash) {
    for (int i = layers.size() - 1; i >= 0; i--) { // newest first: a duplicate usually follows its original closely
      if (layers.get(i).filter.mightContain(hash)) {
        return true;
      }
    }
    return false;
  }

  /** Adds a key the store holds (or is about to), with the event time it is stored at. */
  void add(long hash, long eventTime) {
    Layer newest = layers.get(layers.size() - 1);
    if (newest.filter.full()) {
      newest = start(2 * newest.filter.capacity());
    } else if (newest.filter.added() > 0 && eventTime > newest.oldestEventTime && eventTime - newest.oldestEventTime >= sliceMs) {
      newest = start(newest.filter.added() + newest.filter.added() / 4);
    }
    newest.filter.add(hash);
    newest.oldestEventTime = Math.min(newest.oldestEventTime, eventTime);
    newest.newestEventTime = Math.max(newest.newestEventTime, eventTime);
  }

  private Layer start(long capacity) {
    Layer next = new Layer(new SeenIdFilter(Math.max(minCapacity, capacity)));
    layers.add(next);
    return next;
  }

  /** Drops every layer but the newest whose newest event time is before {@code cutoff}: a time before which the store returns no key. */
  void expireBefore(long cutoff) {
    for (int i = layers.size() - 2; i >= 0; i--) {
      if (layers.get(i).newestEventTime < cutoff) {
        layers.remove(i);
      }
    }
  }

  int layers() {
    return layers.size();
  }

  long added() {
    long n = 0;
    for (Layer l : layers) {
      n += l.filter.added();
    }
    return n;
  }

  long sizeBytes() {
    long n = 0;
    for (Layer l : layers) {
      n += l.filter.sizeBytes();
    }
    return n;
  }

  /** The whole filter's false-positive rate bound: the sum of its layers' rates (each at its capacity; 1% each). */
  double falsePositiveBound() {
    double p = 0;
    for (Layer l : layers) {
      p += l.filter.falsePositiveRate();
    }
    return p;
  }
}
