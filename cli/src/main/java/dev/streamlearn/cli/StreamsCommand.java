package dev.streamlearn.cli;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.DefaultReplication;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.core.metrics.KafkaClientMetrics;
import dev.streamlearn.core.metrics.MetricsEndpoint;
import dev.streamlearn.streams.DatasetSpecResolver;
import dev.streamlearn.streams.PipelineExporter;
import dev.streamlearn.streams.PipelineMetrics;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.streams.PreprocessApp;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "streams", mixinStandardHelpOptions = true,
    description = {"Run the preprocessing topology (clean, dedup, normalize, split, rebalance) until interrupted.",
        "Creates missing topics, resolves the dataset spec (configured, pinned, or inferred from records.raw), then streams.",
        "Run it on several machines with the same config to scale out: partitions are shared among instances."})
public final class StreamsCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--spec-wait", defaultValue = "300", description = "Seconds to wait for records to infer the spec from. Default: ${DEFAULT-VALUE}.")
  long specWait;

  @Option(names = "--progress", defaultValue = "5",
      description = "Seconds between progress lines on stderr (and JMX metric updates, dev.streamlearn:type=Pipeline); 0: none. Default: ${DEFAULT-VALUE}.")
  long progressSeconds;

  @Override
  public Integer call() throws Exception {
    StreamlearnConfig config;
    try (Admin admin = options.clients().admin()) {
      // Resolved once here, so that the Streams app's internal topics get the factor the pipeline's topics get.
      config = DefaultReplication.resolve(admin, options.config());
      new TopicAdmin(admin).ensure(TopicSpec.all(config)).stream().filter(r -> r.status() == TopicAdmin.Status.DRIFT)
          .forEach(r -> System.err.println("warning: " + r));
    }
    DatasetSpec spec = new DatasetSpecResolver(options.clients()).resolve(Duration.ofSeconds(specWait));
    System.err.printf("dataset spec (%s): features=%s labels=%s%n", spec.getSource(), spec.getFeatures(), spec.getLabels());
    CountDownLatch stopped = new CountDownLatch(1);
    Admin lagAdmin = null;
    MetricsEndpoint endpoint = null;
    try (PreprocessApp app = new PreprocessApp(config, spec)) {
      app.streams().setStateListener((now, before) -> {
        if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
          stopped.countDown();
        }
      });
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        app.close();
        stopped.countDown();
      }));
      app.start();
      System.err.printf("streams app %s running (%s)%n", config.applicationId(), config.getString(StreamlearnConfig.PROCESSING_GUARANTEE));
      PipelineMetrics metrics = PipelineMetrics.register();
      PipelineExporter exporter = null;
      if (config.getInt(StreamlearnConfig.METRICS_PORT) > 0) {
        PrometheusRegistry registry = new PrometheusRegistry();
        exporter = new PipelineExporter(registry);
        lagAdmin = options.clients().admin();
        new GroupLag(lagAdmin, config.applicationId(), List.of(config.topic(TopicName.RAW))).register(registry, GroupLag.METRIC);
        registry.register(new KafkaClientMetrics(app.streams()::metrics)); // Streams' own metrics and its clients'
        endpoint = MetricsEndpoint.start(config.getInt(StreamlearnConfig.METRICS_PORT), registry);
        System.err.printf("metrics on port %d: GET /metrics%n", endpoint.port());
      }
      long last = -1;
      long lastT = System.nanoTime();
      // With metrics on but progress lines off, the figures are still read (every 5 s).
      long every = progressSeconds > 0 ? progressSeconds : exporter != null ? 5 : 1;
      while (!stopped.await(every, java.util.concurrent.TimeUnit.SECONDS)) {
        if (progressSeconds > 0 || exporter != null) {
          PipelineReport r = PipelineReport.read(options.clients());
          metrics.update(r);
          if (exporter != null) {
            exporter.update(r);
          }
          if (progressSeconds > 0) {
            long t = System.nanoTime();
            double rate = last < 0 ? 0 : (r.raw() - last) / ((t - lastT) / 1e9);
            System.err.printf("raw %,d  clean %,d  dup %,d  dlq %,d  train %,d (+%,d synthetic)  eval %,d  %,.0f rec/s%n",
                r.raw(), r.clean(), r.duplicates(), r.dlqTotal(), r.train(), r.synthetic(), r.eval(), rate);
            last = r.raw();
            lastT = t;
          }
        }
      }
      return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
      if (lagAdmin != null) {
        lagAdmin.close();
      }
    }
  }
}
