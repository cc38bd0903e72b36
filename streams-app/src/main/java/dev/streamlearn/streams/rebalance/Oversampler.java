package dev.streamlearn.streams.rebalance;

import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_K;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_MAX_PER_RECORD;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_RESERVOIR;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_SEED;

import dev.streamlearn.core.StreamlearnConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Streaming SMOTE. For each real training sample: count it, keep it in its class's reservoir, then
 * top up every eligible class that lags its target ({@link ClassBalance#target()}: the target ratio
 * times the largest class's <em>real</em> count) by more than sampling noise ({@link
 * ClassBalance#flowDeficit}) with synthetic samples, each interpolated between a base drawn from the
 * class's reservoir and one of the base's k nearest same-class neighbours (Chawla et al., 2002):
 * {@code s = x + u (n - x)} with {@code u} uniform in [0, 1). When the partition is at rest, {@link
 * #settle} closes what is left, so every eligible class is on its target, and so is a class of 2 records or more
 * too small to be eligible (its neighbours are then all of it).
 *
 * <p>A class gets at most {@code maxPerRecord} synthetic samples after any one real sample (of any
 * class), so a class that becomes eligible late closes its deficit over the following records
 * instead of in one burst, and never passes its target. The largest real class never gets any.
 * Synthetic records cannot be taken back: a class that later outgrows a past deficit (a late class
 * arriving faster than its target grows) ends above its target by at most that deficit. Near-equal
 * classes changing places do not: their gaps stay inside the flow margin until the stream pauses
 * (property-tested in {@code OversamplerPropertiesTest}).
 *
 * <p>Randomness comes from a generator seeded by the configured seed and the sample's id (for {@link
 * #settle}: the id prefix, class and count), so the same input replayed in the same order gives the
 * same synthetic records, whatever ran before; where the stream pauses is the one thing that depends
 * on timing.
 */
public final class Oversampler {

  public record Synthetic(String id, int label, double[] x, String parentId, String neighbourId) {}

  private final ClassBalance balance;
  private final Reservoir[] reservoirs;
  private final int k;
  private final int maxPerRecord;
  private final long seed;

  public Oversampler(ClassBalance balance, int reservoirSize, int k, int maxPerRecord, long seed) {
    this.balance = balance;
    this.reservoirs = new Reservoir[balance.classes()];
    for (int c = 0; c < reservoirs.length; c++) {
      reservoirs[c] = new Reservoir(reservoirSize);
    }
    this.k = k;
    this.maxPerRecord = maxPerRecord;
    this.seed = seed;
  }

  /** From the rebalance.* settings. */
  public static Oversampler configured(StreamlearnConfig c, int classes) {
    return new Oversampler(ClassBalance.configured(c, classes), c.getInt(REBALANCE_RESERVOIR), c.getInt(REBALANCE_K),
        c.getInt(REBALANCE_MAX_PER_RECORD), c.getLong(REBALANCE_SEED));
  }

  /** Learns one real sample and returns the synthetic samples to emit after it (possibly none). */
  public List<Synthetic> offer(String id, int label, double[] x) {
    balance.countReal(label);
    balance.countEmitted(label, 1);
    reservoirs[label].add(new Reservoir.Sample(id, x));
    List<Synthetic> out = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(seed ^ (id.hashCode() * 0x9E3779B97F4A7C15L));
    for (int c = 0; c < reservoirs.length; c++) {
      // An eligible class holds enough samples to interpolate, unless its reservoir was not kept (an
      // earlier run in another mode): then it waits until the reservoir has two.
      long n = reservoirs[c].size() < 2 ? 0 : Math.min(maxPerRecord, balance.flowDeficit(c));
      topUp(c, n, id + "#syn" + c + ".", 0, rng, out);
    }
    return out;
  }

  /**
   * The partition is at rest: closes the whole deficit of every class with two real records (eligible or not: see
   * {@link ClassBalance#settles}). Ids are {@code idPrefix#settle<class>.<count>}, unique per partition prefix as counts only grow.
   */
  public List<Synthetic> settle(String idPrefix) {
    return settle(idPrefix, Long.MAX_VALUE);
  }

  /**
   * As {@link #settle(String)}, at most {@code most} synthetic records: a class of two records facing a million in its
   * partition owes about a million, too many for one list and one transaction. What is left stays owed for the next call.
   */
  public List<Synthetic> settle(String idPrefix, long most) {
    List<Synthetic> out = new ArrayList<>();
    for (int c = 0; c < reservoirs.length && out.size() < most; c++) {
      long n = reservoirs[c].size() < 2 ? 0 : Math.min(most - out.size(), balance.deficit(c));
      if (n > 0) {
        long from = balance.emitted(c);
        SplittableRandom rng = new SplittableRandom(seed ^ ((idPrefix.hashCode() * 31L + c) * 0x9E3779B97F4A7C15L) ^ from);
        topUp(c, n, idPrefix + "#settle" + c + ".", from, rng, out);
      }
    }
    return out;
  }

  private void topUp(int c, long n, String idPrefix, long firstIndex, SplittableRandom rng, List<Synthetic> out) {
    long made = 0;
    for (long j = 0; j < n; j++) {
      Synthetic syn = interpolate(c, idPrefix + (firstIndex + j), rng);
      if (syn == null) {
        break; // every sample of the class carries one id (content dedup lets ids repeat): no segment to interpolate on
      }
      out.add(syn);
      made++;
    }
    balance.countEmitted(c, made);
  }

  /** A synthetic sample between a random sample of class c and one of its nearest neighbours with another id; null if there is none. */
  private Synthetic interpolate(int c, String id, SplittableRandom rng) {
    Reservoir res = reservoirs[c];
    int slot = rng.nextInt(res.size());
    Reservoir.Sample base = res.get(slot);
    List<Reservoir.Sample> neighbours = res.nearest(slot, k);
    if (neighbours.isEmpty()) {
      return null;
    }
    Reservoir.Sample n = neighbours.get(rng.nextInt(neighbours.size()));
    double u = rng.nextDouble();
    double[] s = new double[base.x().length];
    for (int i = 0; i < s.length; i++) {
      s[i] = base.x()[i] + u * (n.x()[i] - base.x()[i]);
    }
    return new Synthetic(id, c, s, base.id(), n.id());
  }

  public ClassBalance balance() {
    return balance;
  }

  public Reservoir reservoir(int label) {
    return reservoirs[label];
  }
}
