package dev.streamlearn.benchmarks;

import dev.streamlearn.avro.DatasetSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/** The inputs every benchmark shares: the quickstart's payment events (6 features, 3 classes), generated with a fixed seed. */
final class Fixtures {

  static final List<String> FEATURES = List.of("account_age_days", "amount", "distance_km", "hour", "merchant_risk", "velocity_1h");
  static final List<String> LABELS = List.of("fraud", "legit", "review");

  private Fixtures() {}

  static DatasetSpec spec() {
    return DatasetSpec.newBuilder().setFeatures(FEATURES).setLabels(LABELS).build();
  }

  /** One raw JSON event as producers send it. */
  static byte[] event(SplittableRandom rnd, int i) {
    String json = String.format(java.util.Locale.ROOT,
        "{\"id\":\"tx-%d\",\"ts\":%d,\"label\":\"%s\",\"features\":{\"account_age_days\":%.1f,\"amount\":%.2f,\"distance_km\":%.2f,"
            + "\"hour\":%d,\"merchant_risk\":%.3f,\"velocity_1h\":%d}}",
        i, 1_700_000_000_000L + i, LABELS.get(rnd.nextInt(3)), rnd.nextDouble() * 3000, rnd.nextDouble() * 500, rnd.nextDouble() * 200,
        rnd.nextInt(24), rnd.nextDouble(), rnd.nextInt(10));
    return json.getBytes(StandardCharsets.UTF_8);
  }

  static double[] gaussian(SplittableRandom rnd, int width) {
    double[] x = new double[width];
    for (int j = 0; j < width; j++) {
      x[j] = rnd.nextGaussian();
    }
    return x;
  }
}
