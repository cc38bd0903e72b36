package dev.streamlearn.updater;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The updater's figures as Prometheus metrics, taken from the events it already reports
 * ({@link SnapshotEvent}), so the updater itself carries no metrics code: snapshots by status,
 * rollbacks, the current and the latest version with every metric of each, training throughput
 * (samples per second of fit time), training loss (the latest version's {@code train_loss}), each feature's drift
 * since the previous snapshot ({@link NormalizerDrift}), records trained, and snapshot publish time.
 * Lag comes from the consumer group (see {@code GroupLag}).
 */
public final class UpdaterExporter implements Consumer<SnapshotEvent> {

  private final String model;
  private final Counter snapshots;
  private final Counter rollbacks;
  /** Metrics of the versions published while this process led, to report the current one's after a rollback. */
  private final Map<Long, Map<String, Double>> metricsByVersion = new ConcurrentHashMap<>();
  private volatile long current = -1;
  private volatile long latest = -1;
  private volatile double samplesPerSecond = Double.NaN;
  private volatile double publishSeconds = Double.NaN;
  private volatile long trainedRecords = -1;
  private volatile double trainLoss = Double.NaN;
  /** The normalizer statistics of the last snapshot published while this process led: drift is measured from them. */
  private volatile NormalizerStats lastNormalizer;
  private volatile Map<String, Double> drift = Map.of();

  public UpdaterExporter(PrometheusRegistry registry, String model) {
    this.model = model;
    this.snapshots = Counter.builder().name("streamlearn_updater_snapshots").help("Snapshots published by this process, by status")
        .labelNames("model", "status").register(registry);
    this.rollbacks = Counter.builder().name("streamlearn_updater_rollbacks").help("Rollbacks and roll-forwards applied by this process")
        .labelNames("model").register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_version").help("Version numbers: the current (served) one and the latest published")
        .labelNames("model", "which").callback(cb -> {
          if (current >= 0) {
            cb.call(current, model, "current");
          }
          if (latest >= 0) {
            cb.call(latest, model, "latest");
          }
        }).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_version_metric")
        .help("Every metric of the current and the latest version (window metrics, prequential metrics, gate figures, n)")
        .labelNames("model", "which", "metric").callback(cb -> {
          Map<String, Double> cur = metricsByVersion.get(current);
          if (cur != null) {
            cur.forEach((name, v) -> cb.call(v, model, "current", name));
          }
          Map<String, Double> last = metricsByVersion.get(latest);
          if (last != null) {
            last.forEach((name, v) -> cb.call(v, model, "latest", name));
          }
        }).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_train_samples_per_second")
        .help("Training throughput: samples fitted per second of fit time").labelNames("model")
        .callback(cb -> ifKnown(samplesPerSecond, v -> cb.call(v, model))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_train_loss")
        .help("Training loss: the mean of the network's score after each mini-batch fit of new records in the latest version's interval")
        .labelNames("model").callback(cb -> ifKnown(trainLoss, v -> cb.call(v, model))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_feature_drift")
        .help("Per feature: the mean of the records that arrived since the previous snapshot minus that snapshot's mean, "
            + "in units of its standard deviation (signed)")
        .labelNames("model", "feature").callback(cb -> drift.forEach((feature, v) -> cb.call(v, model, feature))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_snapshot_publish_seconds")
        .help("Time the last snapshot took to publish (one transaction: chunks, pointer, offsets)").labelNames("model")
        .callback(cb -> ifKnown(publishSeconds, v -> cb.call(v, model))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_updater_trained_records")
        .help("Records (real and synthetic) the latest version has learnt along its lineage").labelNames("model")
        .callback(cb -> {
          if (trainedRecords >= 0) {
            cb.call(trainedRecords, model);
          }
        }).register(registry);
  }

  @Override
  public void accept(SnapshotEvent event) {
    if (event instanceof SnapshotEvent.Published p) {
      ModelSnapshot meta = p.meta();
      metricsByVersion.put(meta.getVersion(), Map.copyOf(meta.getMetrics()));
      snapshots.labelValues(model, meta.getStatus().name()).inc();
      latest = meta.getVersion();
      current = p.servingVersion();
      samplesPerSecond = p.trainSamplesPerSecond();
      publishSeconds = p.publishMs() / 1000.0;
      trainedRecords = meta.getTrainedRecords();
      trainLoss = meta.getMetrics().getOrDefault("train_loss", Double.NaN);
      NormalizerStats now = meta.getNormalizer();
      if (now != null) {
        drift = lastNormalizer == null ? Map.of() : Map.copyOf(NormalizerDrift.between(lastNormalizer, now, meta.getSpec().getFeatures()));
        lastNormalizer = now;
      }
      metricsByVersion.keySet().removeIf(v -> v != current && v != latest); // bounded: only two are reported
    } else if (event instanceof SnapshotEvent.RolledBack r) {
      rollbacks.labelValues(model).inc();
      current = r.to();
    } else if (event instanceof SnapshotEvent.Resumed r) {
      current = r.servingVersion();
      latest = Math.max(latest, r.headVersion());
    }
  }

  private static void ifKnown(double v, java.util.function.DoubleConsumer f) {
    if (!Double.isNaN(v)) {
      f.accept(v);
    }
  }
}
