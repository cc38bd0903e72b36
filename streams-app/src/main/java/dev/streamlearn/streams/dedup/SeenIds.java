package dev.streamlearn.streams.dedup;

import java.util.ArrayList;
import java.util.List;

/**
 * The filter in front of the dedup store, grown by adding layers instead of rebuilt from the store.
 *
 * <p>A rebuild scanned the whole store twice inside the stream thread: profiled against the latency benchmark's
 * per-second p99, the four tasks' rebuilds at 65,536 and 131,072 keys (42-105 ms each, one after another) were the
 * seconds whose p99 doubled. Here a full layer is followed by a new one, empty, with room for twice the keys the live
 * layers hold; "maybe seen" is asked of every layer. Each new layer is sized for half the false-positive rate of the
 * one before it among the live layers (after a scalable Bloom filter, Almeida et al. 2007), so however many layers
 * live, the rate of the whole stays under twice the first layer's 1%.
 *
 * <p>Layers forget as the store does: each remembers the newest event time it was given, and a layer whose newest is
 * older than the store can still hold (the dedup window, plus one store segment, which Kafka Streams sizes at most
 * the window plus a minute) is dropped, since every key in it is gone from the store too, and the store has the last
 * word either way. The newest layer always stays.
 */
final class SeenIds {

  /** Each new layer's false-positive rate against the one before it. */
  static final double TIGHTENING = 0.5;

  private static final class Layer {
    final SeenIdFilter filter;
    long newestEventTime = Long.MIN_VALUE;

    Layer(SeenIdFilter filter) {
      this.filter = filter;
    }
  }

  private final long minCapacity;
  private final List<Layer> layers = new ArrayList<>();

  /** One layer with room for {@code capacity} keys (at least {@code minCapacity}). */
  SeenIds(long capacity, long minCapacity) {
    this.minCapacity = minCapacity;
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

  /** Adds a key the store now holds, with the event time it was stored at. */
  void add(long hash, long eventTime) {
    Layer newest = layers.get(layers.size() - 1);
    if (newest.filter.full()) {
      newest = grow();
    }
    newest.filter.add(hash);
    newest.newestEventTime = Math.max(newest.newestEventTime, eventTime);
  }

  private Layer grow() {
    long live = 0;
    for (Layer l : layers) {
      live += l.filter.added();
    }
    // The j-th live layer (by age) was made when at least j others lived, so its rate is at most 1% / 2^j: the sum stays
    // under 2% whichever layers expire. (A rate past 1e-12, some 33 live layers, stops tightening: unreachable.)
    double rate = SeenIdFilter.FALSE_POSITIVE_RATE * Math.pow(TIGHTENING, layers.size());
    Layer next = new Layer(new SeenIdFilter(Math.max(minCapacity, 2 * live), Math.max(rate, 1e-12)));
    layers.add(next);
    return next;
  }

  /** Drops every layer but the newest whose newest event time is before {@code cutoff}: a time before which the store holds no key. */
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

  /** The whole filter's false-positive rate bound: the sum of its layers' rates (each at its capacity). */
  double falsePositiveBound() {
    double p = 0;
    for (Layer l : layers) {
      p += l.filter.falsePositiveRate();
    }
    return p;
  }
}
