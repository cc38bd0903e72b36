package dev.streamlearn.updater.client;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.updater.Trainer;
import dev.streamlearn.updater.snapshot.Snapshot;
import dev.streamlearn.updater.snapshot.SnapshotCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For downstream services: the model version model.current points at (or a pinned version),
 * loaded from its verified snapshot, predicting from raw feature values with exactly the
 * preprocessing it was trained with ({@link ServingTransform}). {@link #refresh()} follows the
 * pointer; a version that fails to load leaves the previous one serving.
 *
 * <p>Thread-safe: a loaded version is immutable but for its network, and DL4J networks are not
 * safe for concurrent {@code output} calls, so inference on one version is serialized.
 */
public final class CurrentModel {

  private final SnapshotCatalog catalog;
  private final String model;
  private volatile Loaded loaded;

  private record Loaded(long version, ServingTransform transform, Trainer trainer) {}

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
    load(p.getVersion());
    return true;
  }

  /** Loads one version, current or not (verified); it serves until the next load or refresh. */
  public void load(long version) {
    Snapshot s = catalog.load(model, version, null);
    Trainer trainer = new Trainer(Trainer.deserialize(s.network()));
    loaded = new Loaded(version, new ServingTransform(s.meta().getSpec(), s.meta().getNormalizer()), trainer);
  }

  public long version() {
    Loaded l = loaded;
    return l == null ? -1 : l.version();
  }

  public DatasetSpec spec() {
    return require().transform().spec();
  }

  /** Throws {@link ServingTransform.InvalidFeaturesException} if the record breaks the loaded version's training policy. */
  public void validate(Map<String, Double> raw) {
    require().transform().apply(raw);
  }

  /** Label to probability for one record of raw (unnormalized) features. */
  public Map<String, Double> predict(Map<String, Double> raw) {
    return predictAll(List.of(raw)).get(0).probabilities();
  }

  /**
   * Predictions for raw records, in one batch on one version. Throws
   * {@link ServingTransform.InvalidFeaturesException} if any record breaks the training policy.
   */
  public List<Prediction> predictAll(List<Map<String, Double>> raws) {
    Loaded l = require();
    double[][] x = new double[raws.size()][];
    for (int r = 0; r < raws.size(); r++) {
      x[r] = l.transform().apply(raws.get(r));
    }
    double[][] p;
    synchronized (l.trainer()) {
      p = l.trainer().predict(x);
    }
    List<String> labels = l.transform().spec().getLabels();
    List<Prediction> out = new ArrayList<>(p.length);
    for (int r = 0; r < p.length; r++) {
      double[] row = p[r];
      for (double v : row) {
        if (!Double.isFinite(v)) {
          // An extreme (yet allowed) input can overflow the network's 32-bit arithmetic: no label is better than a guess.
          throw new NonFiniteOutputException("version " + l.version() + " produced non-finite probabilities for record " + r + " of the batch");
        }
      }
      Map<String, Double> m = new LinkedHashMap<>();
      int best = 0;
      for (int c = 0; c < row.length; c++) {
        m.put(labels.get(c), row[c]);
        if (row[c] > row[best]) {
          best = c;
        }
      }
      out.add(new Prediction(labels.get(best), m, l.version()));
    }
    return out;
  }

  /** The network's output for a record was NaN or infinite (its inputs, though within the training limits, overflowed it). */
  public static final class NonFiniteOutputException extends ArithmeticException {
    public NonFiniteOutputException(String message) {
      super(message);
    }
  }

  private Loaded require() {
    Loaded l = loaded;
    if (l == null) {
      throw new IllegalStateException("no version of model " + model + " loaded yet: call refresh() or load(version) first");
    }
    return l;
  }
}
