package dev.streamlearn.stats;

import java.util.Arrays;

/**
 * Exact running moments of a fixed-width vector: count, mean and M2 per component (Welford's
 * update), plus min and max. Two instances combine with the parallel formula of Chan, Golub and
 * LeVeque, so statistics kept per partition merge into exactly what one pass over all records
 * would give (up to floating-point rounding). A component may be skipped in an update (a missing
 * value), so each has its own count. Any finite inputs leave every moment finite (M2 saturates,
 * see {@link #saturate}); NaN and infinite inputs are skipped as missing.
 */
public final class RunningStats {

  private final long[] count;
  private final double[] mean;
  private final double[] m2;
  private final double[] min;
  private final double[] max;

  public RunningStats(int width) {
    this(new long[width], new double[width], new double[width], filled(width, Double.POSITIVE_INFINITY), filled(width, Double.NEGATIVE_INFINITY));
  }

  public RunningStats(long[] count, double[] mean, double[] m2, double[] min, double[] max) {
    int w = count.length;
    if (mean.length != w || m2.length != w || min.length != w || max.length != w) {
      throw new IllegalArgumentException("component arrays differ in length");
    }
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
    this.min = min;
    this.max = max;
  }

  public int width() {
    return count.length;
  }

  /** Adds one observation; NaN (and infinite) components are treated as missing and skipped. */
  public void update(double[] x) {
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (!Double.isFinite(v)) {
        continue;
      }
      long n = ++count[i];
      double delta = v - mean[i];
      if (Double.isFinite(delta)) {
        mean[i] += delta / n;
        m2[i] = saturate(m2[i] + delta * (v - mean[i]));
      } else {
        // v and the mean are so far apart (near +-Double.MAX_VALUE) that their difference overflows:
        // the same update with each term divided by n first, which cannot overflow.
        mean[i] = mean[i] - mean[i] / n + v / n;
        m2[i] = Double.MAX_VALUE;
      }
      if (v < min[i]) {
        min[i] = v;
      }
      if (v > max[i]) {
        max[i] = v;
      }
    }
  }

  /** Folds {@code other} into this (Chan et al.). */
  public void merge(RunningStats other) {
    if (other.width() != width()) {
      throw new IllegalArgumentException("width " + other.width() + " != " + width());
    }
    for (int i = 0; i < width(); i++) {
      long nb = other.count[i];
      if (nb == 0) {
        continue;
      }
      long na = count[i];
      long n = na + nb;
      double delta = other.mean[i] - mean[i];
      double merged = (na * mean[i] + nb * other.mean[i]) / n;
      // Weights below one cannot overflow; used only when the plain form does, so ordinary values round as before.
      mean[i] = Double.isFinite(merged) ? merged : mean[i] * ((double) na / n) + other.mean[i] * ((double) nb / n);
      m2[i] = saturate(m2[i] + other.m2[i] + delta * delta * ((double) na * nb / n));
      count[i] = n;
      min[i] = Math.min(min[i], other.min[i]);
      max[i] = Math.max(max[i], other.max[i]);
    }
  }

  public long count(int i) {
    return count[i];
  }

  public double mean(int i) {
    return mean[i];
  }

  /** Population variance (divides by n). */
  public double variance(int i) {
    return count[i] == 0 ? 0.0 : m2[i] / count[i];
  }

  public double std(int i) {
    return Math.sqrt(variance(i));
  }

  public double min(int i) {
    return min[i];
  }

  public double max(int i) {
    return max[i];
  }

  /** The largest per-component count: how many records these stats cover. */
  public long maxCount() {
    long m = 0;
    for (long c : count) {
      m = Math.max(m, c);
    }
    return m;
  }

  public long[] counts() {
    return count.clone();
  }

  public double[] means() {
    return mean.clone();
  }

  public double[] m2s() {
    return m2.clone();
  }

  public double[] mins() {
    return min.clone();
  }

  public double[] maxs() {
    return max.clone();
  }

  /** A compact binary form (width, then the five component arrays), 40 bytes a feature. */
  public byte[] toBytes() {
    int w = width();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 40 * w);
    b.putInt(w);
    for (int i = 0; i < w; i++) {
      b.putLong(count[i]).putDouble(mean[i]).putDouble(m2[i]).putDouble(min[i]).putDouble(max[i]);
    }
    return b.array();
  }

  public static RunningStats fromBytes(byte[] bytes) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    int w = b.getInt();
    RunningStats s = new RunningStats(w);
    for (int i = 0; i < w; i++) {
      s.count[i] = b.getLong();
      s.mean[i] = b.getDouble();
      s.m2[i] = b.getDouble();
      s.min[i] = b.getDouble();
      s.max[i] = b.getDouble();
    }
    return s;
  }

  /**
   * The variance of values near +-1e154 and beyond does not fit a double. Rather than carry
   * Infinity (and NaN after the next subtraction) into every later snapshot, M2 stops at the
   * largest double: the spread reads as "huge", and stays finite. The cleaner's
   * clean.feature.max.abs keeps real data far below this.
   */
  private static double saturate(double m2) {
    return Double.isNaN(m2) || m2 > Double.MAX_VALUE ? Double.MAX_VALUE : Math.max(m2, 0.0);
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }
}
