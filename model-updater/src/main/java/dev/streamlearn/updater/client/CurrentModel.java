package dev.streamlearn.updater.client;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import dev.streamlearn.stats.StatsCodec;
import dev.streamlearn.updater.Trainer;
import dev.streamlearn.updater.snapshot.Snapshot;
import dev.streamlearn.updater.snapshot.SnapshotCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For downstream services: the model version model.current points at, loaded from its verified
 * snapshot, predicting from raw feature values with exactly the preprocessing it was trained with
 * (the normalizer statistics embedded in the snapshot). {@link #refresh()} follows the pointer.
 */
public final class CurrentModel {

  private final SnapshotCatalog catalog;
  private final String model;
  private volatile Loaded loaded;

  private record Loaded(long version, DatasetSpec spec, RunningStats stats, Scaler scaler, Trainer trainer) {}

  public CurrentModel(KafkaClients clients, String model) {
    this.catalog = new SnapshotCatalog(clients);
    this.model = model;
  }

  /**
   * Loads the version the latest signed pointer names, if it changed; returns true if it did. Throws
   * {@link dev.streamlearn.updater.snapshot.SnapshotIntegrityException} if its snapshot fails verification
   * (unsigned, tampered, signed with another key, incomplete), and then keeps serving the version it had.
   */
  public boolean refresh() {
    ModelPointer p = catalog.trustedPointer(model).orElseThrow(() -> new IllegalStateException("model " + model + " has no current version yet"));
    if (loaded != null && loaded.version() == p.getVersion()) {
      return false;
    }
    Snapshot s = catalog.load(model, p.getVersion(), null);
    NormalizerStats n = s.meta().getNormalizer();
    Scaler scaler = new Scaler(Scaler.method(n == null ? "zscore" : n.getMethod()), 0);
    RunningStats stats = n == null ? new RunningStats(s.meta().getSpec().getFeatures().size()) : StatsCodec.fromAvro(n);
    loaded = new Loaded(p.getVersion(), s.meta().getSpec(), stats, scaler, new Trainer(Trainer.deserialize(s.network())));
    return true;
  }

  public long version() {
    return loaded == null ? -1 : loaded.version();
  }

  public DatasetSpec spec() {
    return loaded.spec();
  }

  /** Label → probability for one record of raw (unnormalized) features; a missing feature counts as its mean. */
  public Map<String, Double> predict(Map<String, Double> raw) {
    return predict(List.of(raw)).get(0);
  }

  public List<Map<String, Double>> predict(List<Map<String, Double>> raws) {
    Loaded l = loaded;
    if (l == null) {
      throw new IllegalStateException("call refresh() first");
    }
    List<String> features = l.spec().getFeatures();
    double[][] x = new double[raws.size()][];
    for (int r = 0; r < raws.size(); r++) {
      double[] v = new double[features.size()];
      for (int i = 0; i < v.length; i++) {
        Double d = raws.get(r).get(features.get(i));
        v[i] = d == null ? Double.NaN : d;
      }
      x[r] = l.scaler().transform(l.stats(), v);
    }
    double[][] p = l.trainer().predict(x);
    List<Map<String, Double>> out = new java.util.ArrayList<>();
    for (double[] row : p) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (int c = 0; c < row.length; c++) {
        m.put(l.spec().getLabels().get(c), row[c]);
      }
      out.add(m);
    }
    return out;
  }
}
