package dev.streamlearn.streams.rebalance;

import java.util.List;

/**
 * The most recent {@code capacity} samples of one class, in a ring: memory stays bounded however
 * long the stream. Holds what the neighbour search needs: the id and the normalized vector.
 */
public final class Reservoir {

  public record Sample(String id, double[] x) {}

  private final Sample[] ring;
  private long seen;
  /**
   * Per slot, the neighbours {@link #nearest(int, int)} last found for it and the k-th distance, or null once the
   * ring has changed in a way that could change them. A minority class gets several synthetic records per sample
   * it receives (classes 80/14/6: about 5 and 12), so most searches repeat one already made.
   */
  private final Neighbours[] cached;

  /** A search's answer: {@code found} for the upkeep's identity checks (an array: no iterator per check), {@code samples} the same, for callers. */
  private record Neighbours(int k, Sample[] found, List<Sample> samples, double kth) {}

  /**
   * The ring's vectors side by side ({@code slot * dims}), and each id's hash: the neighbour scan reads one array
   * instead of chasing a pointer per sample, and compares ids only when their hashes match. {@code dims} is set by
   * the first sample; a sample of another length (never written by the topology) makes the scan use the samples' own arrays.
   */
  private double[] flat;
  private int dims = -1;
  private final int[] idHash;

  public Reservoir(int capacity) {
    this.ring = new Sample[capacity];
    this.cached = new Neighbours[capacity];
    this.idHash = new int[capacity];
  }

  private void place(int slot, Sample s) {
    ring[slot] = s;
    idHash[slot] = s.id().hashCode();
    if (dims == -1) {
      dims = s.x().length;
      flat = new double[ring.length * dims];
    }
    if (flat != null) {
      if (s.x().length == dims) {
        System.arraycopy(s.x(), 0, flat, slot * dims, dims);
      } else {
        flat = null;
      }
    }
  }

  /** Adds a sample and returns the slot it took (the caller persists that slot). */
  public int add(Sample s) {
    int slot = (int) (seen % ring.length);
    Sample old = ring[slot];
    place(slot, s);
    seen++;
    forgetNeighboursChangedBy(slot, old, s);
    return slot;
  }

  /** Restores a persisted slot on start-up. */
  public void restore(int slot, Sample s, long seenSoFar) {
    place(slot, s);
    seen = Math.max(seen, seenSoFar);
    java.util.Arrays.fill(cached, null);
  }

  /**
   * Drops every cached search whose answer the exact scan might now give differently: the slot itself, lists that
   * held the replaced sample, lists not yet full, and lists the new sample could enter (a distance not above
   * their k-th, ties included, since a tie goes to the lower slot). What stays cached is what a scan would return.
   */
  private void forgetNeighboursChangedBy(int slot, Sample old, Sample added) {
    cached[slot] = null;
    for (int i = 0; i < cached.length; i++) {
      Neighbours n = cached[i];
      if (n == null) {
        continue;
      }
      if (n.found().length < n.k() || (old != null && containsSame(n.found(), old))
          || squaredDistance(ring[i].x(), added.x(), n.kth()) <= n.kth()) {
        cached[i] = null;
      }
    }
  }

  private static boolean containsSame(Sample[] found, Sample s) {
    for (Sample x : found) {
      if (x == s) {
        return true;
      }
    }
    return false;
  }

  /** The k nearest samples to the one in {@code slot}, excluding its own id: {@link #nearest(double[], String, int)}, remembered. */
  public List<Sample> nearest(int slot, int k) {
    Neighbours n = cached[slot];
    if (n != null && n.k() == k) {
      return n.samples();
    }
    Sample base = ring[slot];
    n = search(base.x(), base.id(), k);
    cached[slot] = n;
    return n.samples();
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
    return search(x, selfId, k).samples();
  }

  /** The search itself: the k nearest, and the k-th's squared distance (infinite while fewer than k were found). */
  private Neighbours search(double[] x, String selfId, int k) {
    int n = size();
    boolean packed = flat != null && x.length == dims;
    int selfHash = selfId.hashCode();
    // Partial selection: keep the k best in a small sorted array; k is small (default 5).
    Sample[] best = new Sample[k];
    double[] dist = new double[k];
    int filled = 0;
    for (int i = 0; i < n; i++) {
      Sample s = ring[i];
      if (s == null || (idHash[i] == selfHash && s.id().equals(selfId))) {
        continue;
      }
      // Once k candidates are in, a distance already past the k-th best can stop early.
      double bound = filled < k ? Double.POSITIVE_INFINITY : dist[k - 1];
      double d = packed ? squaredDistance(x, flat, i * dims, bound) : squaredDistance(x, s.x(), bound);
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
    Sample[] found = filled == k ? best : java.util.Arrays.copyOf(best, filled);
    // Exact: a candidate enters the top k only with a distance below the bound, so its sum never stopped early.
    return new Neighbours(k, found, java.util.Collections.unmodifiableList(java.util.Arrays.asList(found)), filled < k ? Double.POSITIVE_INFINITY : dist[k - 1]);
  }

  /** As {@link #squaredDistance(double[], double[], double)}, against {@code b[from .. from + a.length)}: the same sums in the same order. */
  static double squaredDistance(double[] a, double[] b, int from, double bound) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[from + i];
      s += d * d;
      if (s >= bound) {
        return s;
      }
    }
    return s;
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
