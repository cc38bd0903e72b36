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

  /**
   * A search's answer: {@code found} for the upkeep's identity checks (an array: no iterator per check), {@code samples}
   * the same, for callers; each one's squared distance and slot, the order a scan ranks them in (ties to the lower slot).
   * Never changed once made: a caller may still hold {@code samples} when the ring moves on.
   */
  private record Neighbours(int k, Sample[] found, List<Sample> samples, double[] dist, int[] slots) {
    Neighbours(int k, Sample[] found, double[] dist, int[] slots) {
      this(k, found, java.util.Collections.unmodifiableList(java.util.Arrays.asList(found)), dist, slots);
    }

    boolean full() {
      return found.length == k;
    }

    /** The k-th squared distance, infinite while fewer than k were found. */
    double kth() {
      return full() ? dist[k - 1] : Double.POSITIVE_INFINITY;
    }

    /** Whether a scan ranks a sample at {@code d} in {@code slot} before the i-th found. */
    boolean before(double d, int slot, int i) {
      return d < dist[i] || (d == dist[i] && slot < slots[i]);
    }

    /** The list with {@code s} (at {@code d}, in {@code slot}) in its place, and the last dropped when it was full. */
    Neighbours with(Sample s, double d, int slot) {
      int at = 0;
      while (at < found.length && !before(d, slot, at)) {
        at++;
      }
      int size = Math.min(k, found.length + 1);
      Sample[] f = new Sample[size];
      double[] ds = new double[size];
      int[] ss = new int[size];
      for (int i = 0, from = 0; i < size; i++) {
        if (i == at) {
          f[i] = s;
          ds[i] = d;
          ss[i] = slot;
        } else {
          f[i] = found[from];
          ds[i] = dist[from];
          ss[i] = slots[from];
          from++;
        }
      }
      return new Neighbours(k, f, ds, ss);
    }

    /** The list without its i-th. */
    Neighbours without(int i) {
      Sample[] f = new Sample[found.length - 1];
      double[] ds = new double[f.length];
      int[] ss = new int[f.length];
      for (int j = 0, to = 0; j < found.length; j++) {
        if (j != i) {
          f[to] = found[j];
          ds[to] = dist[j];
          ss[to] = slots[j];
          to++;
        }
      }
      return new Neighbours(k, f, ds, ss);
    }
  }

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
   * Brings every cached search up to what the exact scan would now answer, or drops it where that takes a scan. The
   * slot itself is dropped. A full list that held the replaced sample is dropped (its (k+1)-th is not known). Else
   * the new sample, unless it has the list's own id, takes its place where a scan would rank it (by distance, ties
   * to the lower slot; a full list drops its last); a list not full holds every other sample, so the replaced one
   * just leaves it.
   */
  private void forgetNeighboursChangedBy(int slot, Sample old, Sample added) {
    cached[slot] = null;
    for (int i = 0; i < cached.length; i++) {
      Neighbours n = cached[i];
      if (n == null) {
        continue;
      }
      int oldAt = old == null ? -1 : indexOfSlot(n.slots(), slot);
      if (oldAt >= 0) {
        if (n.full()) {
          cached[i] = null;
          continue;
        }
        n = n.without(oldAt);
      }
      Sample base = ring[i];
      if (base.x().length != added.x().length) {
        cached[i] = null; // vectors of another length (never written by the topology): the scan decides, or throws
        continue;
      }
      boolean self = idHash[i] == idHash[slot] && base.id().equals(added.id());
      if (!self) {
        double kth = n.kth();
        // The bounded sum may stop early at exactly kth: only an unbounded one is the distance a scan would rank.
        double d = squaredDistance(base.x(), added.x(), kth);
        if (d <= kth) {
          d = squaredDistance(base.x(), added.x(), Double.POSITIVE_INFINITY);
          if (!n.full() || n.before(d, slot, n.k() - 1)) {
            n = n.with(added, d, slot);
          }
        }
      }
      cached[i] = n;
    }
  }

  private static int indexOfSlot(int[] slots, int slot) {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] == slot) {
        return i;
      }
    }
    return -1;
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
    int[] slots = new int[k];
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
          slots[j] = slots[j - 1];
          j--;
        }
        dist[j] = d;
        best[j] = s;
        slots[j] = i;
      }
    }
    // Exact: a candidate enters the top k only with a distance below the bound, so its sum never stopped early.
    return filled == k ? new Neighbours(k, best, dist, slots)
        : new Neighbours(k, java.util.Arrays.copyOf(best, filled), java.util.Arrays.copyOf(dist, filled), java.util.Arrays.copyOf(slots, filled));
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
    return s == s ? s : Double.POSITIVE_INFINITY; // NaN (a NaN or infinite coordinate) ranks as farthest, in scan and update alike
  }

  /**
   * Squared Euclidean distance, or any value >= {@code bound} as soon as the partial sum reaches it. NaN is returned as
   * infinity, so that every distance has a place in the (distance, slot) order both the scan and the cache's upkeep use.
   */
  static double squaredDistance(double[] a, double[] b, double bound) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
      if (s >= bound) {
        return s;
      }
    }
    return s == s ? s : Double.POSITIVE_INFINITY; // NaN (a NaN or infinite coordinate) ranks as farthest, in scan and update alike
  }
}
