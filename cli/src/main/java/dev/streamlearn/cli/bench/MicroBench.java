package dev.streamlearn.cli.bench;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.streams.rebalance.ClassBalance;
import dev.streamlearn.streams.rebalance.Oversampler;
import dev.streamlearn.streams.rebalance.Reservoir;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hot paths timed in-process (warm-up, then a timed loop; the median of 5 runs). Not JMH: a
 * plain harness, good for ratios within one run, not for nanosecond claims.
 */
final class MicroBench {

  private MicroBench() {}

  /** Nanoseconds per operation, median of 5 timed runs after 2 warm-up runs. */
  static double nsPerOp(int ops, Runnable op) {
    List<Double> runs = new ArrayList<>();
    for (int r = 0; r < 7; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) {
        op.run();
      }
      if (r >= 2) {
        runs.add((System.nanoTime() - t0) / (double) ops);
      }
    }
    runs.sort(Double::compare);
    return runs.get(runs.size() / 2);
  }

  static Map<String, Double> hotPaths() {
    Map<String, Double> out = new LinkedHashMap<>();
    List<Double> f = List.of(0.1, -1.2, 0.3, 2.0, -0.5, 0.9);
    ProcessedRecord rec = ProcessedRecord.newBuilder().setId("tx-123456").setTs(1).setLabel("fraud").setLabelIndex(0).setFeatures(f)
        .setSplit(Split.TRAIN).setStatsVersion(7).build();
    byte[] bytes = Avro.PROCESSED.encode(rec);
    out.put("serde_encode_ns", nsPerOp(200_000, () -> Avro.PROCESSED.encode(rec)));
    out.put("serde_decode_ns", nsPerOp(200_000, () -> Avro.PROCESSED.decode(bytes)));
    RunningStats stats = new RunningStats(6);
    double[] x = {0.1, -1.2, 0.3, 2.0, -0.5, 0.9};
    out.put("running_stats_update_ns", nsPerOp(1_000_000, () -> stats.update(x)));
    for (int size : new int[] {100, 1000, 10000}) {
      Reservoir r = new Reservoir(size);
      SplittableRandom rnd = new SplittableRandom(1);
      for (int i = 0; i < size; i++) {
        r.add(new Reservoir.Sample("s" + i, new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(),
            rnd.nextGaussian(), rnd.nextGaussian()}));
      }
      out.put("knn_search_ns.reservoir_" + size, nsPerOp(Math.max(200, 2_000_000 / size), () -> r.nearest(x, "self", 5)));
    }
    return out;
  }

  /** The streaming SMOTE stage's cost per synthetic record at a 9:1 imbalance, by reservoir size. */
  static Map<String, Double> smoteCost() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int size : new int[] {100, 1000, 10000}) {
      SplittableRandom rnd = new SplittableRandom(3);
      int n = 60_000;
      List<double[]> xs = new ArrayList<>();
      int[] ys = new int[n];
      for (int i = 0; i < n; i++) {
        ys[i] = rnd.nextDouble() < 0.1 ? 1 : 0;
        xs.add(new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()});
      }
      Oversampler warm = new Oversampler(new ClassBalance(2, 1.0, 10, 10), size, 5, 50, 1);
      for (int i = 0; i < n / 4; i++) {
        warm.offer("w" + i, ys[i], xs.get(i));
      }
      Oversampler s = new Oversampler(new ClassBalance(2, 1.0, 10, 10), size, 5, 50, 1);
      long synthetic = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        synthetic += s.offer("r" + i, ys[i], xs.get(i)).size();
      }
      double ns = System.nanoTime() - t0;
      out.put("smote_us_per_synthetic.reservoir_" + size, ns / 1000 / Math.max(1, synthetic));
      out.put("smote_us_per_record.reservoir_" + size, ns / 1000 / n);
    }
    return out;
  }
}
