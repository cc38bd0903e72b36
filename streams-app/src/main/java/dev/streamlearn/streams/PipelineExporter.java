package dev.streamlearn.streams;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * The pipeline's reconciled counts ({@link PipelineReport}, merged over every instance and partition
 * from normalizer.stats) as Prometheus metrics: records per stage (whose rate() is each stage's
 * throughput), DLQ records by reason, duplicates, class balance before and after rebalancing, and
 * whether the counts reconcile. Every instance exports the same pipeline-wide figures: scrape one.
 */
public final class PipelineExporter {

  private volatile PipelineReport report;

  public PipelineExporter(PrometheusRegistry registry) {
    CounterWithCallback.builder().name("streamlearn_pipeline_records")
        .help("Records per stage, whole pipeline: raw (read), clean (valid and unique), duplicates, dlq, held and dropped "
            + "(normalization warm-up), train and eval (written; train includes synthetic), synthetic, undersampled")
        .labelNames("stage").callback(cb -> withReport(r -> {
          cb.call(r.raw(), "raw");
          cb.call(r.clean(), "clean");
          cb.call(r.duplicates(), "duplicates");
          cb.call(r.dlqTotal(), "dlq");
          cb.call(r.held(), "held");
          cb.call(r.dropped(), "dropped");
          cb.call(r.train(), "train");
          cb.call(r.eval(), "eval");
          cb.call(r.synthetic(), "synthetic");
          cb.call(r.undersampled(), "undersampled");
        })).register(registry);
    CounterWithCallback.builder().name("streamlearn_pipeline_dlq_records").help("Records sent to records.dlq, by reason")
        .labelNames("reason").callback(cb -> withReport(r -> r.dlq().forEach((reason, n) -> cb.call(n, reason)))).register(registry);
    CounterWithCallback.builder().name("streamlearn_pipeline_duplicates").help("Records dropped as duplicates by the dedup stage")
        .callback(cb -> withReport(r -> cb.call(r.duplicates()))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_pipeline_class_records")
        .help("Records per class: valid unique records (before rebalancing, 'clean'), real records reaching the rebalancer "
            + "('train_real'), records written to records.train, synthetic included ('train'), and the sum of the partitions' targets ('target')")
        .labelNames("label", "where").callback(cb -> withReport(r -> {
          each(r.classes(), (label, n) -> cb.call(n, label, "clean"));
          each(r.trainReal(), (label, n) -> cb.call(n, label, "train_real"));
          each(r.trainClasses(), (label, n) -> cb.call(n, label, "train"));
          each(r.trainTargets(), (label, n) -> cb.call(n, label, "target"));
        })).register(registry);
    GaugeWithCallback.builder().name("streamlearn_pipeline_synthetic_owed")
        .help("Synthetic records the partitions still owe to reach their class targets (0 once they have been at rest for rebalance.settle.idle.ms)")
        .callback(cb -> withReport(r -> cb.call(r.owed()))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_pipeline_reconciled")
        .help("1 when raw = clean + held + dropped + duplicates + dlq, else 0 (records in flight, or a bug)")
        .callback(cb -> withReport(r -> cb.call(r.reconciles() ? 1 : 0))).register(registry);
    GaugeWithCallback.builder().name("streamlearn_pipeline_report_timestamp_seconds")
        .help("Wall-clock time of the newest per-partition report the figures come from")
        .callback(cb -> withReport(r -> cb.call(r.lastUpdate() / 1000.0))).register(registry);
  }

  /** The figures to export from now on (the streams command reads one every few seconds). */
  public void update(PipelineReport r) {
    report = r;
  }

  private void withReport(java.util.function.Consumer<PipelineReport> export) {
    PipelineReport r = report;
    if (r != null) {
      export.accept(r); // nothing read yet: no samples rather than zeros
    }
  }

  private static void each(Map<String, Long> counts, java.util.function.BiConsumer<String, Long> f) {
    if (counts != null) {
      counts.forEach(f);
    }
  }
}
