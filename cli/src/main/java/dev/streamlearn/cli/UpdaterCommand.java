package dev.streamlearn.cli;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.core.metrics.KafkaClientMetrics;
import dev.streamlearn.core.metrics.MetricsEndpoint;
import dev.streamlearn.updater.ModelUpdater;
import dev.streamlearn.updater.SnapshotEvent;
import dev.streamlearn.updater.UpdaterExporter;
import dev.streamlearn.updater.UpdaterGroups;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "updater", mixinStandardHelpOptions = true,
    description = {"Run the model updater until interrupted: train on records.train, evaluate on records.eval,",
        "publish a snapshot every updater.snapshot.every.records records or updater.snapshot.every.ms, gate promotion,",
        "apply rollback commands. A second instance for the same model waits and takes over when the first stops."})
public final class UpdaterCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.set(true);
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    LocalSigningKey.ensure(options.config());
    StreamlearnConfig config = options.config();
    Consumer<SnapshotEvent> listener = new EventPrinter();
    Admin lagAdmin = null;
    MetricsEndpoint endpoint = null;
    PrometheusRegistry registry = null;
    try {
      if (config.getInt(StreamlearnConfig.METRICS_PORT) > 0) {
        String model = config.getString(StreamlearnConfig.MODEL_NAME);
        registry = new PrometheusRegistry();
        listener = listener.andThen(new UpdaterExporter(registry, model));
        lagAdmin = options.clients().admin();
        new GroupLag(lagAdmin, UpdaterGroups.data(config, model), List.of(config.topic(TopicName.TRAIN), config.topic(TopicName.EVAL)))
            .register(registry, GroupLag.METRIC);
        endpoint = MetricsEndpoint.start(config.getInt(StreamlearnConfig.METRICS_PORT), registry);
        System.err.printf("metrics on port %d: GET /metrics%n", endpoint.port());
      }
      try (ModelUpdater updater = new ModelUpdater(config, listener)) {
        if (registry != null) {
          registry.register(new KafkaClientMetrics(updater::clientMetrics)); // its producer's and consumer's own metrics
        }
        updater.run(stop);
      }
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
      if (lagAdmin != null) {
        lagAdmin.close();
      }
      done.countDown();
    }
    return 0;
  }
}
