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
 * the rate outgrew it) or when a key's event time is past the slice of the newest event time so far (slices aligned on
 * event time, as the store's segments are; with room for a quarter more than the slice before got: the rate as it is
 * now). A late key goes into the newest layer and starts none. Every layer is sized for 1%, so the whole answers "maybe" for at most
 * 1% of new keys per live layer (about 4% with four): a store lookup more, never a wrong answer. Tightening each
 * layer's rate instead would keep the whole under 2%, at 1.6 times the memory.
 *
 * <p>Layers forget as the store does: each remembers the newest event time put into it, and a layer whose newest is
 * older than anything the store can still return is dropped ({@link #expireBefore}); the newest layer always stays.
 * With layers cut by time, the live ones cover the window, a segment and the newest slice, so memory follows the
 * keys of the window (up to about twice what one filter sized at twice the window's keys took, after each layer's
 * rounding to a power of two), however long the task runs.
 */
final class SeenIds {

  private static final class Layer {
    final SeenIdFilter filter;
    long newestEventTime = Long.MIN_VALUE;

    Layer(SeenIdFilter filter) {
      this.filter = filter;
    }
  }

  private final long minCapacity;
  private final long sliceMs;
  private final List<Layer> layers = new ArrayList<>();
  /** The newest event time added to any layer: late keys never move it, so they never start a layer. */
  private long streamTime = Long.MIN_VALUE;
  /** Keys added since the last slice boundary: what the next slice's layer is sized from. */
  private long keysThisSlice;

  /**
   * One layer with room for {@code capacity} keys (at least {@code minCapacity}).
   *
   * @param sliceMs the length of the event-time slices at whose boundaries a new layer starts even if the newest is not full
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
    if (streamTime != Long.MIN_VALUE && Math.floorDiv(eventTime, sliceMs) > Math.floorDiv(streamTime, sliceMs)) {
      // Slices aligned on event time (as the store's segments are): the first key past a boundary of the stream's
      // time starts a layer sized from the slice before; a late key, behind the stream's time, never does.
      newest = start(keysThisSlice + keysThisSlice / 4);
      keysThisSlice = 0;
    } else if (newest.filter.full()) {
      newest = start(2 * newest.filter.capacity());
    }
    newest.filter.add(hash);
    newest.newestEventTime = Math.max(newest.newestEventTime, eventTime);
    streamTime = Math.max(streamTime, eventTime);
    keysThisSlice++;
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
