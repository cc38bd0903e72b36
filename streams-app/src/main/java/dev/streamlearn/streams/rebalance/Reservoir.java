package dev.streamlearn.streams.rebalance;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent {@code capacity} samples of one class, in a ring: memory stays bounded however
 * long the stream. Holds what the neighbour search needs: the id and the normalized vector.
 */
public final class Reservoir {

  public record Sample(String id, double[] x) {}

  private final Sample[] ring;
  private long seen;

  public Reservoir(int capacity) {
    this.ring = new Sample[capacity];
  }

  /** Adds a sample and returns the slot it took (the caller persists that slot). */
  public int add(Sample s) {
    int slot = (int) (seen % ring.length);
    ring[slot] = s;
    seen++;
    return slot;
  }

  /** Restores a persisted slot on start-up. */
  public void restore(int slot, Sample s, long seenSoFar) {
    ring[slot] = s;
    seen = Math.max(seen, seenSoFar);
  }

  public long seen() {
    return seen;
  }

  public int capacity() {
    return ring.length;
  }

  public int size() {
    return (int) Math.min(seen, ring.length);
  }

  public Sample get(int slot) {
    return ring[slot];
  }

  /** The k samples nearest to {@code x} (squared Euclidean), excluding {@code selfId}; ties by slot order. */
  public List<Sample> nearest(double[] x, String selfId, int k) {
    int n = size();
    // Partial selection: keep the k best in a small sorted array; k is small (default 5).
    Sample[] best = new Sample[k];
    double[] dist = new double[k];
    int filled = 0;
    for (int i = 0; i < n; i++) {
      Sample s = ring[i];
      if (s == null || s.id().equals(selfId)) {
        continue;
      }
      // Once k candidates are in, a distance already past the k-th best can stop early.
      double d = filled < k ? squaredDistance(x, s.x(), Double.POSITIVE_INFINITY) : squaredDistance(x, s.x(), dist[k - 1]);
      if (filled < k || d < dist[k - 1]) {
        // insertion into the sorted top-k: grow while filling, else drop the current k-th
        int j = filled < k ? filled++ : k - 1;
        while (j > 0 && dist[j - 1] > d) {
          dist[j] = dist[j - 1];
          best[j] = best[j - 1];
          j--;
        }
        dist[j] = d;
        best[j] = s;
      }
    }
    List<Sample> out = new ArrayList<>(filled);
    for (int i = 0; i < filled; i++) {
      out.add(best[i]);
    }
    return out;
  }

  /** Squared Euclidean distance, or any value >= {@code bound} as soon as the partial sum reaches it. */
  static double squaredDistance(double[] a, double[] b, double bound) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
      if (s >= bound) {
        return s;
      }
    }
    return s;
  }
}
