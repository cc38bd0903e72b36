package dev.streamlearn.streams.rebalance;

import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_FLOW_MARGIN;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_K;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_MAX_WEIGHT;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_MIN_CLASS_RECORDS;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_SETTLE_IDLE_MS;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_TARGET_RATIO;

import dev.streamlearn.core.StreamlearnConfig;

/**
 * One partition's class counts on the training split and the targets every rebalancing mode derives
 * from them. Targets come from <em>real</em> counts only: a target built on emitted counts (synthetic
 * included) lets minority classes feed each other's targets and run away from the largest class.
 *
 * <ul>
 *   <li>{@code real(c)}: real training records of class c seen so far;
 *   <li>{@code emitted(c)}: records of class c put on records.train (real kept + synthetic);
 *   <li>a class is <em>eligible</em> once it has {@code minClassRecords} real records: below that it is
 *       neither oversampled while records flow (its k neighbours would be most of it) nor allowed to bound
 *       undersampling. At rest a class with two real records is topped up too ({@link #settles}).
 * </ul>
 *
 * <p>Two deficits: {@link #deficit} closes the whole gap to the target (when the partition is at
 * rest, see {@link Oversampler#settle}), {@link #flowDeficit} only the part of it that sampling noise
 * cannot explain, {@code flowMargin x sqrt(target)} below the target (while records flow). Synthetic
 * records cannot be taken back: near-equal classes change places all the time, and a class topped up
 * to the target while records flow would end above it once its own records catch up. The margin keeps
 * the noise out of the synthetic records; the rest waits for the stream to pause.
 */
public final class ClassBalance {

  /** Absorbs the rounding of {@code ratio * count} so that, say, 0.3 x 10 targets 3, not 4. */
  private static final double ROUNDING = 1 - 1e-12;

  private final long[] real;
  private final long[] emitted;
  private final double targetRatio;
  private final long minClassRecords;
  private final double maxWeight;
  private final double flowMargin;
  private final boolean deferLateDebt;
  /** Whether the partition ever settles: without it a class too small to be eligible is never topped up, nor owed. */
  private final boolean settlesSmall;
  /** The largest real count, kept as counts grow: every target, deficit and weight asks for it, per class, per record. */
  private long maxReal;
  /** Per class, the target when its first real record arrived (what it owed for being late); -1 before it. */
  private final long[] targetAtArrival;

  /** Without a flow margin: every deficit is closed while records flow. */
  public ClassBalance(int classes, double targetRatio, long minClassRecords, double maxWeight) {
    this(classes, targetRatio, minClassRecords, maxWeight, 0);
  }

  /** With a flow margin, a late class that keeps pace leaves its debt to the rest ({@link #keepsPace}). */
  public ClassBalance(int classes, double targetRatio, long minClassRecords, double maxWeight, double flowMargin) {
    this(classes, targetRatio, minClassRecords, maxWeight, flowMargin, flowMargin > 0);
  }

  /**
   * @param deferLateDebt whether a late class that keeps pace leaves what it owed on arrival to the partition's rest:
   *     only where something settles at rest (rebalance.settle.idle.ms above 0), or that debt would never be paid
   */
  public ClassBalance(int classes, double targetRatio, long minClassRecords, double maxWeight, double flowMargin, boolean deferLateDebt) {
    this(classes, targetRatio, minClassRecords, maxWeight, flowMargin, deferLateDebt, true);
  }

  /** @param settlesSmall whether the partition settles at rest (rebalance.settle.idle.ms above 0): see {@link #settles} */
  public ClassBalance(int classes, double targetRatio, long minClassRecords, double maxWeight, double flowMargin, boolean deferLateDebt,
      boolean settlesSmall) {
    if (minClassRecords < 2) {
      throw new IllegalArgumentException("a class needs at least 2 real records to interpolate between: " + minClassRecords);
    }
    this.real = new long[classes];
    this.emitted = new long[classes];
    this.targetAtArrival = new long[classes];
    java.util.Arrays.fill(targetAtArrival, -1);
    this.targetRatio = targetRatio;
    this.minClassRecords = minClassRecords;
    this.maxWeight = maxWeight;
    this.flowMargin = flowMargin;
    this.deferLateDebt = deferLateDebt;
    this.settlesSmall = settlesSmall;
  }

  /** From the rebalance.* settings. */
  public static ClassBalance configured(StreamlearnConfig config, int classes) {
    double margin = config.getDouble(REBALANCE_FLOW_MARGIN);
    boolean settles = config.getLong(REBALANCE_SETTLE_IDLE_MS) > 0;
    return new ClassBalance(classes, config.getDouble(REBALANCE_TARGET_RATIO), minClassRecords(config), config.getDouble(REBALANCE_MAX_WEIGHT),
        margin, margin > 0 && settles, settles);
  }

  /** rebalance.min.class.records, and never fewer than k + 1: every base then has k neighbours to choose from. */
  public static long minClassRecords(StreamlearnConfig config) {
    return Math.max(config.getInt(REBALANCE_MIN_CLASS_RECORDS), config.getInt(REBALANCE_K) + 1L); // long: k may be Integer.MAX_VALUE
  }

  public void countReal(int c) {
    if (targetAtArrival[c] < 0) {
      targetAtArrival[c] = target();
    }
    maxReal = Math.max(maxReal, ++real[c]);
  }

  public void countEmitted(int c, long n) {
    emitted[c] += n;
  }

  public boolean eligible(int c) {
    return real[c] >= minClassRecords;
  }

  /**
   * Whether class c is topped up when the partition is at rest: an eligible class, or one with the two records SMOTE
   * needs to interpolate between. A class too small to be eligible (Shuttle's four rarest, 2 to 40 records a partition)
   * would otherwise stay at a few thousandths of the largest, and the network would see it too rarely to learn it;
   * at rest its few records are all it will have, and its neighbours are all of them.
   */
  public boolean settles(int c) {
    return eligible(c) || (settlesSmall && real[c] >= 2);
  }

  /** Oversampling: {@code ceil(ratio x the largest real count)}, the same for every class. */
  public long target() {
    return (long) Math.ceil(targetRatio * maxReal() * ROUNDING);
  }

  /**
   * Synthetic records class c still needs: none unless it {@link #settles}, none once it is at its target
   * (the largest real class always is, as the target never exceeds its real count).
   */
  public long deficit(int c) {
    return settles(c) ? Math.max(0, target() - emitted[c]) : 0;
  }

  /**
   * The part of the deficit to close while records flow: the gap to {@code target - margin}, where
   * {@code margin = ceil(flowMargin x sqrt(target))} is a few standard deviations of a class count's
   * sampling noise. A class whose real count only trails the largest by noise gets nothing until the
   * partition is at rest; a class that is really smaller is kept within the margin of its target.
   */
  public long flowDeficit(int c) {
    long target = target();
    long margin = (long) Math.ceil(flowMargin * Math.sqrt(target));
    if (!eligible(c) || (deferLateDebt && keepsPace(c))) {
      return 0;
    }
    return Math.max(0, target - margin - emitted[c]);
  }

  /**
   * Whether class c's real records have kept up with the target's growth since c's first one, within the flow margin
   * of that growth. A
   * late class owes the target it met on arrival; whether it will outgrow that debt (a late class as large as the
   * others, as UCI's Satellite's 'red soil') or never (a rare class) its rate since arrival says: one that keeps
   * pace is left to the partition's rest, when the debt is known, for synthetic records cannot be taken back (before
   * this, Satellite's late 'red soil' ended at 1.25 of its target, the train split's min/max class ratio 0.80).
   */
  private boolean keepsPace(int c) {
    long target = target();
    // min: a target lower than on arrival (rebalance.target-ratio lowered between runs) grew by nothing, not by less.
    long grown = target - Math.min(target, Math.max(0, targetAtArrival[c]));
    // The noise of a count that grew by 'grown', as the flow margin measures it for the whole target.
    long margin = (long) Math.ceil(flowMargin * Math.sqrt(Math.max(1, grown)));
    return real[c] >= grown - margin;
  }

  /** The target class c met when its first real record arrived; -1 before that (a class with records restored from an older state: 0). */
  public long targetAtArrival(int c) {
    return targetAtArrival[c];
  }

  public void restoreTargetAtArrival(int c, long t) {
    targetAtArrival[c] = t;
  }

  /**
   * What records.train should carry of class c under {@code mode}: smote tops an eligible class up to
   * the target (a class above it keeps its own count), undersample caps it, weight and none keep it.
   */
  public long target(int c, RebalanceProcessor.Mode mode) {
    long n = real[c];
    return switch (mode) {
      case SMOTE -> settles(c) ? Math.max(n, target()) : n;
      case UNDERSAMPLE -> Math.min(n, undersamplingCap());
      case WEIGHT, NONE -> n;
    };
  }

  /** Synthetic records still owed over all classes: zero once the partition is balanced. */
  public long owed() {
    long owed = 0;
    for (int c = 0; c < real.length; c++) {
      owed += deficit(c);
    }
    return owed;
  }

  /**
   * Undersampling: the most records of one class to keep, {@code ceil(smallest eligible real count / ratio)}.
   * Unbounded while no class is eligible, and a class not yet seen (or still tiny) bounds nothing: it
   * would cap every class at a handful of records. A class that becomes eligible late lowers the cap,
   * and the classes already over it are dropped until it catches up.
   */
  public long undersamplingCap() {
    long min = Long.MAX_VALUE;
    for (int c = 0; c < real.length; c++) {
      if (eligible(c)) {
        min = Math.min(min, real[c]);
      }
    }
    return min == Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(Math.max(1, min / targetRatio * ROUNDING));
  }

  /** Undersampling: whether one more record of class c stays under the cap. */
  public boolean keeps(int c) {
    return emitted[c] < undersamplingCap();
  }

  /**
   * Class weighting: {@code ratio x largest real count / real(c)}, at least 1 (the largest class, or
   * a class at its target) and at most {@code maxWeight} (a class's first records, a late class).
   */
  public double weight(int c) {
    if (real[c] == 0) {
      return 1.0;
    }
    return Math.min(maxWeight, Math.max(1.0, targetRatio * maxReal() / real[c]));
  }

  public long maxReal() {
    return maxReal;
  }

  public long real(int c) {
    return real[c];
  }

  public long emitted(int c) {
    return emitted[c];
  }

  public int classes() {
    return real.length;
  }

  public void restore(int c, long realCount, long emittedCount) {
    real[c] = realCount;
    emitted[c] = emittedCount;
    // A state written before the target at arrival was kept: a class with records counts as present from the start.
    targetAtArrival[c] = realCount > 0 ? 0 : -1;
    maxReal = 0;
    for (long r : real) {
      maxReal = Math.max(maxReal, r);
    }
  }
}
