package dev.streamlearn.cli;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"One screen for operators: the cluster, the streams app's group and lag on records.raw, the updater's lag on",
        "records.train, reconciled counts, and the current model version with its metrics. Exit 0 if the pipeline is caught up."})
public final class StatusCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    StreamlearnConfig c = options.config();
    String model = c.getString(StreamlearnConfig.MODEL_NAME);
    long rawLag;
    long trainLag;
    try (Admin admin = options.clients().admin(); KafkaConsumer<byte[], byte[]> consumer = options.clients().consumer()) {
      System.out.printf("cluster      %s: %d broker(s)%n", c.getString(StreamlearnConfig.BOOTSTRAP), admin.describeCluster().nodes().get().size());
      String app = c.applicationId();
      var group = admin.describeConsumerGroups(List.of(app)).all().get().get(app);
      rawLag = lag(admin, consumer, app, c.topic(TopicName.RAW));
      System.out.printf("streams app  %s: %s, %d member(s), lag on records.raw %,d%n", app, group.groupState(), group.members().size(), rawLag);
      String updaterGroup = c.getString(StreamlearnConfig.TOPIC_PREFIX) + "updater-" + model;
      trainLag = lag(admin, consumer, updaterGroup, c.topic(TopicName.TRAIN));
      var leader = admin.describeConsumerGroups(List.of(updaterGroup + ".leader")).all().get().get(updaterGroup + ".leader");
      System.out.printf("updater      %s: %s, lag on records.train %,d (since the last snapshot)%n", model,
          leader.members().isEmpty() ? "not running" : "running", trainLag);
    }
    PipelineReport r = PipelineReport.read(options.clients());
    System.out.printf("counts       raw %,d = clean %,d + held %,d + duplicates %,d + dlq %,d: %s%n", r.raw(), r.clean(), r.held(), r.duplicates(),
        r.dlqTotal(), !r.reconciles() ? "not reconciled (in flight)" : r.held() > 0 ? "reconciled, warm-up holding records" : "reconciled");
    SnapshotCatalog catalog = new SnapshotCatalog(options.clients());
    Optional<ModelPointer> p = catalog.pointer(model);
    if (p.isPresent()) {
      ModelSnapshot s = catalog.versions(model).getOrDefault(model, new TreeMap<>()).get(p.get().getVersion());
      Map<String, Double> m = s == null ? Map.of() : s.getMetrics();
      System.out.printf("model        %s: current v%d, head v%d, macro F1 %.4f, accuracy %.4f (%s)%n", model, p.get().getVersion(), p.get().getHead(),
          m.getOrDefault("macro_f1", Double.NaN), m.getOrDefault("accuracy", Double.NaN), p.get().getReason());
    } else {
      System.out.printf("model        %s: no version yet%n", model);
    }
    return rawLag == 0 && r.reconciles() && r.held() == 0 ? 0 : 5;
  }

  private static long lag(Admin admin, KafkaConsumer<byte[], byte[]> consumer, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    List<TopicPartition> parts = TopicReader.partitions(consumer, topic);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts);
    long lag = 0;
    for (TopicPartition tp : parts) {
      OffsetAndMetadata om = committed.get(tp);
      lag += end.get(tp) - (om == null ? consumer.beginningOffsets(List.of(tp)).get(tp) : om.offset());
    }
    return lag;
  }
}
