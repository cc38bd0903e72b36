package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.updater.UpdaterGroups;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * What {@code status --json} prints ({@link #json}), read once for the status command and the dashboard: the
 * cluster, the streams app's group and its lag on records.raw, the updater's lag on records.train and
 * records.eval, reconciled counts, and the current model version with its metrics. The figures it was
 * built from come with it, so the dashboard shows more of them without reading the topics again.
 */
record StatusReport(ObjectNode json, PipelineReport pipeline, Optional<ModelPointer> pointer, TreeMap<Long, ModelSnapshot> versions,
    List<SnapshotCatalog.PointerAt> pointerHistory) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bound on each admin call: a broker that went away must fail the reading, not hold it (and the dashboard) up. */
  static final long ADMIN_TIMEOUT_MS = 5_000;

  /** Reads the cluster first, so an unreachable one fails fast, then the stats, pointer and snapshot topics. */
  static StatusReport read(StreamlearnConfig c, KafkaClients clients, String model) throws Exception {
    return read(c, clients, model, false);
  }

  /**
   * As {@link #read(StreamlearnConfig, KafkaClients, String)}; with {@code withHistory}, model.current is read once for
   * the whole pointer history (the current pointer is its last entry) instead of for the current pointer alone.
   */
  static StatusReport read(StreamlearnConfig c, KafkaClients clients, String model, boolean withHistory) throws Exception {
    ObjectNode out = JSON.createObjectNode();
    long rawLag;
    try (Admin admin = clients.admin()) {
      ObjectNode cluster = out.putObject("cluster");
      cluster.put("bootstrap", c.getString(StreamlearnConfig.BOOTSTRAP));
      try {
        cluster.put("brokers", admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ADMIN_TIMEOUT_MS)).nodes()
            .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).size());
      } catch (TimeoutException | ExecutionException e) {
        // Either timeout may fire first (ours, or the admin call's own inside an ExecutionException): both name the cluster.
        Throwable why = e instanceof ExecutionException ? e.getCause() : e;
        throw new IllegalStateException("cannot describe the cluster at " + c.getString(StreamlearnConfig.BOOTSTRAP) + " within "
            + ADMIN_TIMEOUT_MS + " ms (is the broker up and reachable?): " + why, why);
      }

      String app = c.applicationId();
      Optional<ConsumerGroupDescription> group = describe(admin, app);
      ObjectNode streams = out.putObject("streams");
      streams.put("group", app);
      streams.put("state", group.map(g -> String.valueOf(g.groupState())).orElse("NONE"));
      streams.put("members", group.map(g -> g.members().size()).orElse(0));
      rawLag = lag(streams, new GroupLag(admin, app, List.of(c.topic(TopicName.RAW))).read());

      String updaterGroup = UpdaterGroups.data(c, model);
      Optional<ConsumerGroupDescription> leader = describe(admin, UpdaterGroups.leader(c, model));
      ObjectNode updater = out.putObject("updater");
      updater.put("model", model);
      updater.put("group", updaterGroup);
      updater.put("running", leader.map(g -> !g.members().isEmpty()).orElse(false));
      lag(updater, new GroupLag(admin, updaterGroup, List.of(c.topic(TopicName.TRAIN), c.topic(TopicName.EVAL))).read());
    }
    PipelineReport r = PipelineReport.read(clients);
    SnapshotCatalog catalog = new SnapshotCatalog(clients);
    List<SnapshotCatalog.PointerAt> history = withHistory ? catalog.pointerHistory(model) : List.of();
    Optional<ModelPointer> pointer = withHistory
        ? Optional.ofNullable(history.isEmpty() ? null : history.get(history.size() - 1).pointer())
        : catalog.pointer(model);
    TreeMap<Long, ModelSnapshot> versions = catalog.versions(model).getOrDefault(model, new TreeMap<>());
    ObjectNode counts = out.putObject("counts");
    counts.put("raw", r.raw());
    counts.put("clean", r.clean());
    counts.put("held", r.held());
    counts.put("dropped", r.dropped());
    counts.put("duplicates", r.duplicates());
    counts.put("dlq", r.dlqTotal());
    ObjectNode byReason = counts.putObject("dlq_by_reason");
    new TreeMap<>(r.dlq()).forEach((reason, n) -> {
      if (n > 0) {
        byReason.put(reason, n);
      }
    });
    counts.put("train", r.train());
    counts.put("eval", r.eval());
    counts.put("reconciled", r.reconciles());

    if (pointer.isPresent()) {
      ModelPointer p = pointer.get();
      ObjectNode m = out.putObject("model");
      m.put("name", model);
      m.put("current", p.getVersion());
      m.put("head", p.getHead());
      m.put("last_version", p.getLastVersion());
      m.put("reason", p.getReason());
      ModelSnapshot s = versions.get(p.getVersion());
      ObjectNode mm = m.putObject("metrics");
      new TreeMap<>(s == null ? Map.<String, Double>of() : s.getMetrics()).forEach(mm::put);
    } else {
      out.putNull("model");
    }
    out.put("caught_up", rawLag == 0 && r.reconciles() && r.held() == 0);
    return new StatusReport(out, r, pointer, versions, history);
  }

  /** The group, or empty if the broker knows no such group (nothing ever joined it: Kafka 4 says so with an error). */
  private static Optional<ConsumerGroupDescription> describe(Admin admin, String group) throws Exception {
    try {
      return Optional.of(admin.describeConsumerGroups(List.of(group), new DescribeConsumerGroupsOptions().timeoutMs((int) ADMIN_TIMEOUT_MS))
          .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(group));
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
