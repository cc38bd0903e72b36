package dev.streamlearn.updater;

import dev.streamlearn.updater.metrics.Predictions;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A percentile confidence interval for the difference of one metric between two models scored on
 * the same records: each resample draws n records with replacement and scores both models on that
 * same draw, so the records' own difficulty cancels out and only the models' difference varies.
 * Seeded: the same records and predictions always give the same interval.
 */
public final class PairedBootstrap {

  /** [low, high] of candidate - current at the given confidence, from {@code resamples} draws where the metric was defined. */
  public record Interval(double low, double high, int resamples) {}

  private final int resamples;
  private final long seed;

  public PairedBootstrap(int resamples, long seed) {
    this.resamples = resamples;
    this.seed = seed;
  }

  public Interval difference(GateMetric metric, Predictions candidate, Predictions current, double confidence) {
    int n = candidate.size();
    if (current.size() != n) {
      throw new IllegalArgumentException("paired: both models must be scored on the same records, not " + n + " and " + current.size());
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] deltas = new double[resamples];
    int used = 0;
    int[] counts = new int[n];
    for (int b = 0; b < resamples; b++) {
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        counts[rnd.nextInt(n)]++;
      }
      double d = metric.score(candidate, counts) - metric.score(current, counts);
      if (!Double.isNaN(d)) { // e.g. AUC on a draw without a single positive: no information
        deltas[used++] = d;
      }
    }
    if (used == 0) {
      return new Interval(Double.NaN, Double.NaN, 0);
    }
    double[] sorted = Arrays.copyOf(deltas, used);
    Arrays.sort(sorted);
    double alpha = 1 - confidence;
    return new Interval(quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2), used);
  }

  /** Linear interpolation between order statistics (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
