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
   * Per slot, the neighbours {@link #nearest(int, int)} last found for it, kept deeper than asked ({@link #DEPTH} times
   * k) so that the ring's turnover rarely drops them; null once fewer than k of them are still known to be the nearest.
   * A minority class gets several synthetic records per sample it receives (classes 80/14/6: about 5 and 12), so most
   * searches repeat one already made.
   */
  private final Neighbours[] cached;

  /**
   * How much deeper than k a remembered search goes. With depth k, every replaced sample that was among a slot's k
   * nearest dropped the list (its (k+1)-th was unknown), and a minority class searched again for most of its synthetic
   * records; with depth 2k a list loses one known neighbour per replaced member and gains one per new sample that
   * ranks inside it, about equally often, so it lives for many turns of the ring (docs/benchmarks.md, session 12).
   */
  static final int DEPTH = 2;

  /**
   * A search's answer, the exact nearest in the order a scan ranks them (squared distance, ties to the lower slot):
   * {@code found} with each one's distance and slot; {@code complete} when it holds every other sample of the ring
   * (the search found fewer than its depth), else it is the exact top {@code found.length}, and the ones after it are
   * not known. Never changed once made: a caller may still hold its {@link #prefix} when the ring moves on.
   */
  private static final class Neighbours {
    final int k;
    final int depth;
    final Sample[] found;
    final double[] dist;
    final int[] slots;
    final boolean complete;
    /** The first k, made on the first ask: a list is usually changed by several adds between two asks. */
    private List<Sample> prefix;

    Neighbours(int k, int depth, Sample[] found, double[] dist, int[] slots, boolean complete) {
      this.k = k;
      this.depth = depth;
      this.found = found;
      this.dist = dist;
      this.slots = slots;
      this.complete = complete;
    }

    List<Sample> prefix() {
      if (prefix == null) {
        prefix = java.util.Collections.unmodifiableList(java.util.Arrays.asList(found).subList(0, Math.min(k, found.length)));
      }
      return prefix;
    }

    /** Whether the first k a scan would answer are all known. */
    boolean answers() {
      return complete || found.length >= k;
    }

    /** Whether a scan ranks a sample at {@code d} in {@code slot} before the i-th found. */
    boolean before(double d, int slot, int i) {
      return d < dist[i] || (d == dist[i] && slot < slots[i]);
    }

    /**
     * The list after one change of the ring, in one copy: without its {@code gone}-th (-1: none), and with {@code s}
     * (at {@code d}, in {@code slot}; null: none) where a scan ranks it. Past the depth the last is dropped, and the
     * list is no longer complete.
     */
    Neighbours changed(int gone, Sample s, double d, int slot) {
      int kept = gone >= 0 ? found.length - 1 : found.length;
      int size = s == null ? kept : Math.min(depth, kept + 1);
      Sample[] f = new Sample[size];
      double[] ds = new double[size];
      int[] ss = new int[size];
      boolean placed = s == null;
      int to = 0;
      for (int from = 0; from < found.length && to < size; from++) {
        if (from == gone) {
          continue;
        }
        if (!placed && before(d, slot, from)) {
          f[to] = s;
          ds[to] = d;
          ss[to++] = slot;
          placed = true;
          if (to == size) {
            break;
          }
        }
        f[to] = found[from];
        ds[to] = dist[from];
        ss[to++] = slots[from];
      }
      if (!placed && to < size) {
        f[to] = s;
        ds[to] = d;
        ss[to] = slot;
      }
      return new Neighbours(k, depth, f, ds, ss, complete && size == kept + (s == null ? 0 : 1));
    }
  }

  /** A slot's whole remembered list and whether it is complete: for the tests of the cache's upkeep. */
  record Known(List<Sample> samples, boolean complete) {}

  /** What the cache remembers for {@code slot}, or null. */
  Known known(int slot) {
    Neighbours n = cached[slot];
    return n == null ? null : new Known(List.of(n.found), n.complete);
  }

  /**
   * The ring's vectors side by side ({@code slot * dims}), and each id's hash: the neighbour scan reads one array
   * instead of chasing a pointer per sample, and compares ids only when their hashes match. {@code dims} is set by
   * the first sample; a sample of another length (never written by the topology) makes the scan use the samples' own arrays.
   */
  private double[] flat;
  private int dims = -1;
  /** Scans made, for the tests of the cache's upkeep. */
  private long searches;
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
   * slot itself is dropped. The replaced sample leaves every list that held it: the known prefix shortens by one, and a
   * list that no longer knows k is dropped. The new sample, unless it has the list's own id, takes its place where a
   * scan would rank it (by distance, ties to the lower slot) if that is inside the known prefix, or anywhere in a
   * complete list; ranked after the prefix, it leaves the prefix exact.
   */
  private void forgetNeighboursChangedBy(int slot, Sample old, Sample added) {
    cached[slot] = null;
    for (int i = 0; i < cached.length; i++) {
      Neighbours n = cached[i];
      if (n == null) {
        continue;
      }
      Sample base = ring[i];
      if (base.x().length != added.x().length) {
        cached[i] = null; // vectors of another length (never written by the topology): the scan decides, or throws
        continue;
      }
      int gone = old == null ? -1 : indexOfSlot(n.slots, slot);
      int lastKept = gone == n.found.length - 1 ? gone - 1 : n.found.length - 1;
      // A new sample enters before the last one still known, or anywhere in a complete list.
      double bound = n.complete || lastKept < 0 ? Double.POSITIVE_INFINITY : n.dist[lastKept];
      Sample entering = null;
      double d = 0;
      boolean self = idHash[i] == idHash[slot] && base.id().equals(added.id());
      if (!self) {
        d = squaredDistance(base.x(), added.x(), bound);
        if (d <= bound) {
          if (bound != Double.POSITIVE_INFINITY) {
            d = squaredDistance(base.x(), added.x(), Double.POSITIVE_INFINITY); // a bounded sum may have stopped at exactly the bound
          }
          if (n.complete || (lastKept >= 0 && n.before(d, slot, lastKept))) {
            entering = added;
          }
        }
      }
      if (gone >= 0 || entering != null) {
        n = n.changed(gone, entering, d, slot);
      }
      cached[i] = n.answers() ? n : null;
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
    if (n != null && n.k == k) {
      return n.prefix();
    }
    Sample base = ring[slot];
    n = search(base.x(), base.id(), k, (int) Math.min((long) DEPTH * k, Integer.MAX_VALUE));
    cached[slot] = n;
    return n.prefix();
  }

  long searches() {
    return searches;
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
    return search(x, selfId, k, k).prefix();
  }

  /** The search itself: the {@code depth} nearest (at least k), complete if fewer were found. */
  private Neighbours search(double[] x, String selfId, int k, int depth) {
    searches++;
    int n = size();
    boolean packed = flat != null && x.length == dims;
    int selfHash = selfId.hashCode();
    // Partial selection: keep the best in a small sorted array; the depth is small (default 10), and never more than the ring holds.
    int room = Math.min(depth, n);
    Sample[] best = new Sample[room];
    double[] dist = new double[room];
    int[] slots = new int[room];
    int filled = 0;
    for (int i = 0; i < n; i++) {
      Sample s = ring[i];
      if (s == null || (idHash[i] == selfHash && s.id().equals(selfId))) {
        continue;
      }
      // Once the depth is filled, a distance already past the last best can stop early.
      double bound = filled < room ? Double.POSITIVE_INFINITY : dist[room - 1];
      double d = packed ? squaredDistance(x, flat, i * dims, bound) : squaredDistance(x, s.x(), bound);
      if (filled < room || d < dist[room - 1]) {
        // insertion into the sorted top: grow while filling, else drop the current last
        int j = filled < room ? filled++ : room - 1;
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
    // Exact: a candidate enters the top only with a distance below the bound, so its sum never stopped early.
    return filled == depth ? new Neighbours(k, depth, best, dist, slots, false)
        : new Neighbours(k, depth, java.util.Arrays.copyOf(best, filled), java.util.Arrays.copyOf(dist, filled), java.util.Arrays.copyOf(slots, filled), true);
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
