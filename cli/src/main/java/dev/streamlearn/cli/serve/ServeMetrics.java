package dev.streamlearn.cli.serve;

import dev.streamlearn.client.CurrentModel;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What {@code serve} reports on GET /metrics: requests by endpoint and status, /predict latency, events scored, the model's state. */
final class ServeMetrics {

  final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("streamlearn_serve_requests")
      .help("HTTP requests by endpoint and status code").labelNames("endpoint", "code").register(registry);
  private final Histogram latency = Histogram.builder().name("streamlearn_serve_predict_duration_seconds")
      .help("Time to answer POST /predict, body read to response written")
      .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
      .register(registry);
  private final Counter events = Counter.builder().name("streamlearn_serve_events")
      .help("Events answered by POST /predict, scored or refused").labelNames("outcome").register(registry);
  private final Counter swaps = Counter.builder().name("streamlearn_serve_model_swaps")
      .help("Times the served version changed (new version, rollback, roll-forward)").register(registry);

  ServeMetrics(CurrentModel model) {
    GaugeWithCallback.builder().name("streamlearn_serve_model_version").help("Version that answers now; -1 before the first")
        .labelNames("model").callback(cb -> cb.call(model.version(), model.model())).register(registry);
    CounterWithCallback.builder().name("streamlearn_serve_model_load_failures")
        .help("Versions that failed to load or verify (the previous one kept serving)")
        .labelNames("model").callback(cb -> cb.call(model.loadFailures(), model.model())).register(registry);
    model.addListener((previous, current) -> swaps.inc());
  }

  void request(String endpoint, int code) {
    requests.labelValues(endpoint, Integer.toString(code)).inc();
  }

  void predictLatency(long nanos) {
    latency.observe(nanos / 1e9);
  }

  void events(long scored, long refused) {
    events.labelValues("scored").inc(scored);
    events.labelValues("refused").inc(refused);
  }
}
