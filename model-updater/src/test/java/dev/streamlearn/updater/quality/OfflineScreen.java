package dev.streamlearn.updater.quality;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.updater.ModelFactory;
import dev.streamlearn.updater.ReplayBuffer;
import dev.streamlearn.updater.Trainer;
import dev.streamlearn.updater.metrics.ClassificationMetrics;
import dev.streamlearn.updater.metrics.Predictions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.common.utils.Utils;

/**
 * Fast offline screen of learning settings, not a test (surefire runs *Test only): replays a data set's
 * training records in file order, one pass, through the updater's own ModelFactory and Trainer, with
 * replay and class weights as the pipeline computes them, and scores the eval split (the pipeline's
 * hash split) with the project's metrics. It approximates the pipeline: normalization uses the train
 * split's global statistics instead of each partition's running ones, and smote mode is not emulated
 * (weight and none are). A screen picks candidates; scripts/quality/run measures them.
 *
 * <pre>
 * scripts/quality/screen coil2000 weight updater.wide=true updater.replay.batches=8 ...
 * </pre>
 */
public final class OfflineScreen {

  public static void main(String[] args) throws Exception {
    dev.streamlearn.client.NativeMemory.applyDefaults(); // train at the CLI's speed
    Path data = Path.of(args[0]);
    String mode = args[1];
    Map<String, String> overrides = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      overrides.put(kv[0], kv[1]);
    }
    StreamlearnConfig c = StreamlearnConfig.of(overrides);
    List<String> ids = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(data)), StandardCharsets.UTF_8))) {
      r.readLine();
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split(",");
        ids.add(f[0]);
        labels.add(f[1]);
        double[] x = new double[f.length - 2];
        for (int j = 2; j < f.length; j++) {
          x[j - 2] = Double.parseDouble(f[j]);
        }
        rows.add(x);
      }
    }
    List<String> classNames = new ArrayList<>(new TreeSet<>(labels));
    int classes = classNames.size();
    int d = rows.get(0).length;
    boolean[] eval = new boolean[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      int bucket = Utils.toPositive(Utils.murmur2(ids.get(i).getBytes(StandardCharsets.UTF_8))) % 10_000;
      eval[i] = bucket < Math.round(c.getDouble(StreamlearnConfig.EVAL_FRACTION) * 10_000);
    }
    double[] mean = new double[d];
    double[] sd = new double[d];
    int n = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (!eval[i]) {
        n++;
        for (int j = 0; j < d; j++) {
          mean[j] += rows.get(i)[j];
        }
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    for (int i = 0; i < rows.size(); i++) {
      if (!eval[i]) {
        for (int j = 0; j < d; j++) {
          sd[j] += Math.pow(rows.get(i)[j] - mean[j], 2);
        }
      }
    }
    for (int j = 0; j < d; j++) {
      sd[j] = Math.sqrt(sd[j] / n);
      if (sd[j] == 0) {
        sd[j] = 1;
      }
    }
    Trainer trainer = new Trainer(ModelFactory.create(c, d, classes), c.getDouble(StreamlearnConfig.AVERAGE_DECAY));
    int batchSize = c.getInt(StreamlearnConfig.BATCH_SIZE);
    int replayBatches = c.getInt(StreamlearnConfig.REPLAY_BATCHES);
    ReplayBuffer replay = new ReplayBuffer(c.getInt(StreamlearnConfig.REPLAY_BUFFER), 42);
    int partitions = 4;
    long[][] real = new long[partitions][classes];
    double maxWeight = c.getDouble(StreamlearnConfig.REBALANCE_MAX_WEIGHT);
    List<double[]> bx = new ArrayList<>();
    List<Integer> by = new ArrayList<>();
    List<Double> bw = new ArrayList<>();
    List<double[]> ex = new ArrayList<>();
    List<Integer> ey = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < rows.size(); i++) {
      double[] z = new double[d];
      for (int j = 0; j < d; j++) {
        z[j] = (rows.get(i)[j] - mean[j]) / sd[j];
      }
      int y = classNames.indexOf(labels.get(i));
      if (eval[i]) {
        ex.add(z);
        ey.add(y);
        continue;
      }
      int p = Utils.toPositive(Utils.murmur2(ids.get(i).getBytes(StandardCharsets.UTF_8))) % partitions;
      real[p][y]++;
      double w = 1.0;
      if (mode.equals("weight")) {
        long max = 0;
        for (long v : real[p]) {
          max = Math.max(max, v);
        }
        w = Math.min(maxWeight, Math.max(1.0, c.getDouble(StreamlearnConfig.REBALANCE_TARGET_RATIO) * max / real[p][y]));
      }
      bx.add(z);
      by.add(y);
      bw.add(w);
      if (bx.size() == batchSize) {
        double[][] x = bx.toArray(double[][]::new);
        int[] yy = by.stream().mapToInt(Integer::intValue).toArray();
        double[] ww = bw.stream().mapToDouble(Double::doubleValue).toArray();
        boolean weighted = bw.stream().anyMatch(v -> v != 1.0);
        trainer.fit(x, yy, weighted ? ww : null);
        if (replayBatches > 0) {
          replay.replayThenAdd(trainer, replayBatches, batchSize, x, yy, ww);
        }
        bx.clear();
        by.clear();
        bw.clear();
      }
    }
    double[][] probs = trainer.predict(ex.toArray(double[][]::new));
    ClassificationMetrics m = Predictions.of(ey.stream().mapToInt(Integer::intValue).toArray(), probs, classes).metrics();
    System.out.printf(Locale.ROOT, "%s %s %s auc=%.4f balacc=%.4f logloss=%.4f (%d train, %d eval, %.0f s)%n", data.getFileName(), mode, overrides,
        m.rocAuc(), m.balancedAccuracy(), m.logLoss(), n, ex.size(), (System.nanoTime() - t0) / 1e9);
  }
}
