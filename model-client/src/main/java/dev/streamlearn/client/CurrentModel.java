package dev.streamlearn.client;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For downstream services: the model version model.current points at (or a pinned version), loaded
 * from its verified snapshot, predicting from raw feature values with exactly the preprocessing it
 * was trained with ({@link ServingTransform}).
 *
 * <p>{@link #follow()} starts a background thread that tails model.current and swaps each new
 * version in as soon as its pointer is committed (rollbacks and roll-forwards included), telling
 * {@link VersionListener}s; {@link #refresh()} does one such step on the caller's thread instead.
 * A swap is one reference assignment: a reader gets the old version or the new one, never a
 * half-loaded one, and a version that fails to load or verify leaves the previous one serving.
 *
 * <p>Thread-safe: a loaded version is immutable but for its network, and DL4J networks are not safe
 * for concurrent {@code output} calls, so inference on one version is serialized.
 */
public final class CurrentModel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CurrentModel.class);

  static {
    NativeMemory.applyDefaults(); // a service's first model load is usually its first use of ND4J (the guard starts with its first Network)
  }

  private final KafkaClients clients;
  private final SnapshotCatalog catalog;
  private final String model;
  /** How many versions served before stay loaded, so a rollback to one of them swaps without reading a snapshot. */
  private static final int WARM_VERSIONS = 2;

  private final AtomicReference<ServedVersion> served = new AtomicReference<>();
  /** Recently served versions, most recent last (guarded by itself). */
  private final LinkedHashMap<Long, ServedVersion> warm = new LinkedHashMap<>(4, 0.75f, true);
  private final List<VersionListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstLoad = new CountDownLatch(1);
  private final AtomicLong loadFailures = new AtomicLong();
  private volatile RuntimeException lastFailure;
  private PointerFollower follower;

  public CurrentModel(KafkaClients clients, String model) {
    this.clients = clients;
    this.catalog = new SnapshotCatalog(clients);
    this.model = model;
  }

  public String model() {
    return model;
  }

  public void addListener(VersionListener listener) {
    listeners.add(listener);
  }

  /**
   * Follows model.current from now on, on a daemon thread, until {@link #close()}. Throws
   * {@link SnapshotIntegrityException} at once if no signing key is configured.
   */
  public synchronized CurrentModel follow() {
    if (follower == null) {
      follower = new PointerFollower(clients, model, this::swapTo);
      follower.start();
    }
    return this;
  }

  /**
   * Waits until a version serves; returns it. Throws {@link NoModelException} after {@code timeout}
   * saying why there is none (no trusted pointer yet, or the last load failure).
   */
  public long awaitVersion(Duration timeout) throws InterruptedException {
    if (!firstLoad.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      StringBuilder why = new StringBuilder("no version of model " + model + " loaded within " + timeout.toMillis() + " ms: ");
      RuntimeException failure = lastFailure;
      if (failure != null) {
        why.append("the last one failed to load: ").append(failure.getMessage());
      } else if (follower != null && follower.untrustedSkipped() > 0) {
        why.append(follower.untrustedSkipped()).append(" pointer(s) on ").append(clients.config().topic(TopicName.CURRENT))
            .append(" did not verify (is snapshot.signing.key the updater's?)");
      } else {
        why.append("no pointer for it on ").append(clients.config().topic(TopicName.CURRENT))
            .append(" yet (is the updater running, and has it published a first snapshot?)");
      }
      throw new NoModelException(why.toString());
    }
    return version();
  }

  /**
   * Loads the version the latest signed pointer names, if it changed; returns true if it did. Throws
   * {@link SnapshotIntegrityException} if its snapshot fails verification (unsigned, tampered, signed
   * with another key, incomplete), and then keeps serving the version it had.
   */
  public boolean refresh() {
    ModelPointer p = catalog.trustedPointer(model).orElseThrow(() -> new NoModelException("model " + model + " has no current version yet"));
    if (version() == p.getVersion()) {
      return false;
    }
    load(p.getVersion());
    return true;
  }

  /**
   * Loads one version, current or not (verified); it serves until the next load or refresh. The
   * {@value #WARM_VERSIONS} versions served last stay in memory (already verified), so rolling back to
   * one of them is a swap, not a read of the snapshot topic.
   */
  public void load(long version) {
    ServedVersion next = takeWarm(version);
    if (next == null) {
      try {
        next = ServedVersion.of(catalog.load(model, version, null));
      } catch (RuntimeException e) {
        failed(version, e);
        throw e;
      }
    }
    ServedVersion previous = served.getAndSet(next);
    keepWarm(previous);
    firstLoad.countDown();
    long from = previous == null ? -1 : previous.version();
    if (from != version) {
      log.info("model {}: serving v{} (was {})", model, version, from < 0 ? "none" : "v" + from);
      listeners.forEach(l -> l.onSwap(from, version));
    }
  }

  private ServedVersion takeWarm(long version) {
    synchronized (warm) {
      return warm.remove(version);
    }
  }

  private void keepWarm(ServedVersion v) {
    if (v == null) {
      return;
    }
    synchronized (warm) {
      warm.put(v.version(), v);
      while (warm.size() > WARM_VERSIONS) {
        warm.remove(warm.keySet().iterator().next());
      }
    }
  }

  /** The follower's step: false asks it to retry later (a failure that may pass, such as an unreachable broker). */
  private boolean swapTo(ModelPointer pointer) {
    try {
      load(pointer.getVersion());
      return true;
    } catch (SnapshotIntegrityException e) {
      return true; // the same bytes will not verify later; wait for the next pointer
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void failed(long version, RuntimeException e) {
    loadFailures.incrementAndGet();
    lastFailure = e;
    ServedVersion current = served.get();
    log.warn("model {}: v{} not loaded ({}); {}", model, version, e.getMessage(),
        current == null ? "nothing serves yet" : "v" + current.version() + " keeps serving");
    listeners.forEach(l -> l.onLoadFailure(version, e));
  }

  /** The serving version, or -1 before the first load. */
  public long version() {
    ServedVersion s = served.get();
    return s == null ? -1 : s.version();
  }

  /** Versions that failed to load or verify since this client started. */
  public long loadFailures() {
    return loadFailures.get();
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
    ServedVersion v = require(); // one version for the whole batch, whatever swaps meanwhile
    double[][] x = new double[raws.size()][];
    for (int r = 0; r < raws.size(); r++) {
      x[r] = v.transform().apply(raws.get(r));
    }
    double[][] p = v.probabilities(x);
    List<String> labels = v.transform().spec().getLabels();
    List<Prediction> out = new ArrayList<>(p.length);
    for (int r = 0; r < p.length; r++) {
      double[] row = p[r];
      for (double value : row) {
        if (!Double.isFinite(value)) {
          // An extreme (yet allowed) input can overflow the network's 32-bit arithmetic: no label is better than a guess.
          throw new NonFiniteOutputException("version " + v.version() + " produced non-finite probabilities for record " + r + " of the batch");
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
      out.add(new Prediction(labels.get(best), m, v.version()));
    }
    return out;
  }

  /** Stops following model.current; the loaded version stays usable. */
  @Override
  public synchronized void close() {
    if (follower != null) {
      follower.close();
      follower = null;
    }
  }

  /** The network's output for a record was NaN or infinite (its inputs, though within the training limits, overflowed it). */
  public static final class NonFiniteOutputException extends ArithmeticException {
    public NonFiniteOutputException(String message) {
      super(message);
    }
  }

  /** No version serves: none was published yet, none verifies, or waiting for the first one timed out. */
  public static final class NoModelException extends IllegalStateException {
    public NoModelException(String message) {
      super(message);
    }
  }

  private ServedVersion require() {
    ServedVersion v = served.get();
    if (v == null) {
      throw new NoModelException("no version of model " + model + " loaded yet: call follow() and awaitVersion(timeout), refresh() or load(version) first");
    }
    return v;
  }
}
