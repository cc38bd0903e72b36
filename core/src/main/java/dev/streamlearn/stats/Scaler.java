package dev.streamlearn.stats;

/**
 * The feature transform, shared by training (streams app) and serving (model client) so both
 * apply exactly the same arithmetic. A missing value (NaN) becomes the mean, i.e. 0 after z-score.
 */
public final class Scaler {

  public enum Method { ZSCORE, MINMAX }

  private final Method method;
  private final double clipK;

  /** @param clipK clip z-scores at +-clipK (0: no clipping) */
  public Scaler(Method method, double clipK) {
    this.method = method;
    this.clipK = clipK;
  }

  /** The method named as in normalize.method ({@code zscore}, {@code minmax}); any other name fails rather than scale differently. */
  public static Method method(String name) {
    return switch (String.valueOf(name)) {
      case "zscore" -> Method.ZSCORE;
      case "minmax" -> Method.MINMAX;
      default -> throw new IllegalArgumentException("unknown normalization method '" + name + "' (zscore or minmax)");
    };
  }

  public double[] transform(RunningStats s, double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double v = Double.isNaN(x[i]) ? s.mean(i) : x[i];
      double z;
      if (method == Method.MINMAX) {
        double range = s.max(i) - s.min(i);
        z = s.count(i) == 0 || !(range > 0) ? 0.0 : (v - s.min(i)) / range;
      } else {
        double sd = s.std(i);
        z = s.count(i) == 0 || !(sd > 0) ? 0.0 : (v - s.mean(i)) / sd;
        if (clipK > 0) {
          z = Math.max(-clipK, Math.min(clipK, z));
        }
      }
      out[i] = z;
    }
    return out;
  }
}
