package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.updater.UpdaterGroups;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"One screen for operators: the cluster, the streams app's group and lag on records.raw, the updater's lag on",
        "records.train and records.eval, reconciled counts, and the current model version with its metrics.",
        "--json: the same as one JSON object (keys: cluster, streams, updater, counts, model, caught_up).",
        "Exit codes: 0 caught up (no lag on records.raw, counts reconciled, nothing held in the warm-up); 5 not caught up (yet); "
            + "1 the cluster or a topic cannot be read; 2 a bad setting."})
public final class StatusCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--json", description = "Print one JSON object instead of the screen.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StreamlearnConfig c = options.config();
    String model = c.getString(StreamlearnConfig.MODEL_NAME);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode out = mapper.createObjectNode();
    long rawLag;
    try (Admin admin = options.clients().admin()) {
      ObjectNode cluster = out.putObject("cluster");
      cluster.put("bootstrap", c.getString(StreamlearnConfig.BOOTSTRAP));
      cluster.put("brokers", admin.describeCluster().nodes().get().size());

      String app = c.applicationId();
      Optional<ConsumerGroupDescription> group = describe(admin, app);
      ObjectNode streams = out.putObject("streams");
      streams.put("group", app);
      streams.put("state", group.map(g -> String.valueOf(g.groupState())).orElse("NONE"));
      streams.put("members", group.map(g -> g.members().size()).orElse(0));
      rawLag = lag(streams, new GroupLag(admin, app, List.of(c.topic(TopicName.RAW))).read());

      String updaterGroup = UpdaterGroups.data(c, model);
      String leaderGroup = UpdaterGroups.leader(c, model);
      Optional<ConsumerGroupDescription> leader = describe(admin, leaderGroup);
      ObjectNode updater = out.putObject("updater");
      updater.put("model", model);
      updater.put("group", updaterGroup);
      updater.put("running", leader.map(g -> !g.members().isEmpty()).orElse(false));
      lag(updater, new GroupLag(admin, updaterGroup, List.of(c.topic(TopicName.TRAIN), c.topic(TopicName.EVAL))).read());
    }
    PipelineReport r = PipelineReport.read(options.clients());
    ObjectNode counts = out.putObject("counts");
    counts.put("raw", r.raw());
    counts.put("clean", r.clean());
    counts.put("held", r.held());
    counts.put("dropped", r.dropped());
    counts.put("duplicates", r.duplicates());
    counts.put("dlq", r.dlqTotal());
    counts.put("train", r.train());
    counts.put("eval", r.eval());
    counts.put("reconciled", r.reconciles());

    SnapshotCatalog catalog = new SnapshotCatalog(options.clients());
    Optional<ModelPointer> p = catalog.pointer(model);
    Map<String, Double> metrics = Map.of();
    if (p.isPresent()) {
      ObjectNode m = out.putObject("model");
      m.put("name", model);
      m.put("current", p.get().getVersion());
      m.put("head", p.get().getHead());
      m.put("last_version", p.get().getLastVersion());
      m.put("reason", p.get().getReason());
      ModelSnapshot s = catalog.versions(model).getOrDefault(model, new TreeMap<>()).get(p.get().getVersion());
      metrics = s == null ? Map.of() : s.getMetrics();
      ObjectNode mm = m.putObject("metrics");
      new TreeMap<>(metrics).forEach(mm::put);
    } else {
      out.putNull("model");
    }
    boolean caughtUp = rawLag == 0 && r.reconciles() && r.held() == 0;
    out.put("caught_up", caughtUp);

    if (json) {
      System.out.println(mapper.writeValueAsString(out));
    } else {
      System.out.printf("cluster      %s: %d broker(s)%n", out.get("cluster").get("bootstrap").asText(), out.get("cluster").get("brokers").asInt());
      ObjectNode s = (ObjectNode) out.get("streams");
      System.out.printf("streams app  %s: %s, %d member(s), lag on records.raw %,d%n", s.get("group").asText(), s.get("state").asText(),
          s.get("members").asInt(), rawLag);
      ObjectNode u = (ObjectNode) out.get("updater");
      System.out.printf("updater      %s: %s, lag on records.train and records.eval %,d (since the last snapshot)%n", model,
          u.get("running").asBoolean() ? "running" : "not running", u.get("lag").asLong());
      System.out.printf("counts       raw %,d = clean %,d + held %,d + duplicates %,d + dlq %,d: %s%n", r.raw(), r.clean(), r.held(), r.duplicates(),
          r.dlqTotal(), !r.reconciles() ? "not reconciled (in flight)" : r.held() > 0 ? "reconciled, warm-up holding records" : "reconciled");
      if (p.isPresent()) {
        System.out.printf("model        %s: current v%d, head v%d, macro F1 %.4f, accuracy %.4f (%s)%n", model, p.get().getVersion(), p.get().getHead(),
            metrics.getOrDefault("macro_f1", Double.NaN), metrics.getOrDefault("accuracy", Double.NaN), p.get().getReason());
      } else {
        System.out.printf("model        %s: no version yet%n", model);
      }
    }
    return caughtUp ? 0 : 5;
  }

  /** The group, or empty if the broker knows no such group (nothing ever joined it: Kafka 4 says so with an error). */
  private static Optional<ConsumerGroupDescription> describe(Admin admin, String group) throws Exception {
    try {
      return Optional.of(admin.describeConsumerGroups(List.of(group)).all().get().get(group));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Puts {@code lag} (total) and {@code lag_by_partition} ("topic-partition": n) on {@code node}; returns the total. */
  private static long lag(ObjectNode node, Map<TopicPartition, Long> byPartition) {
    long total = byPartition.values().stream().mapToLong(Long::longValue).sum();
    node.put("lag", total);
    ObjectNode parts = node.putObject("lag_by_partition");
    byPartition.forEach((tp, n) -> parts.put(tp.toString(), n));
    return total;
  }
}
