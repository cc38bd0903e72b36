package dev.streamlearn.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates topics from {@link TopicSpec} idempotently and reports drift from it. */
public final class TopicAdmin {

  public enum Status { CREATED, OK, DRIFT }

  public record Result(TopicSpec spec, Status status, List<String> drift) {
    @Override
    public String toString() {
      return String.format("%-8s %s%s", status, spec.fullName(), drift.isEmpty() ? "" : ": " + String.join("; ", drift));
    }
  }

  private final Admin admin;

  public TopicAdmin(Admin admin) {
    this.admin = admin;
  }

  public List<Result> ensure(Collection<TopicSpec> specs) throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<Result> results = new ArrayList<>();
    for (TopicSpec spec : specs) {
      if (!existing.contains(spec.fullName())) {
        try {
          admin.createTopics(List.of(new NewTopic(spec.fullName(), spec.partitions(), spec.replication()).configs(spec.configs())))
              .all().get();
          results.add(new Result(spec, Status.CREATED, List.of()));
          continue;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          // created concurrently by another instance: check it like any existing topic
        }
      }
      List<String> drift = drift(spec);
      results.add(new Result(spec, drift.isEmpty() ? Status.OK : Status.DRIFT, drift));
    }
    return results;
  }

  /** What differs between the spec and the topic on the cluster, one phrase per difference. */
  public List<String> drift(TopicSpec spec) throws ExecutionException, InterruptedException {
    List<String> out = new ArrayList<>();
    TopicDescription d = describe(spec.fullName());
    if (d.partitions().size() != spec.partitions()) {
      out.add("partitions " + d.partitions().size() + " (spec " + spec.partitions() + ")");
    }
    int replicas = d.partitions().get(0).replicas().size();
    if (spec.replication() > 0 && replicas != spec.replication()) {
      out.add("replication factor " + replicas + " (spec " + spec.replication() + ")");
    }
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, spec.fullName());
    Config actual = admin.describeConfigs(List.of(res)).all().get().get(res);
    for (Map.Entry<String, String> e : spec.configs().entrySet()) {
      var entry = actual.get(e.getKey());
      String value = entry == null ? null : entry.value();
      if (!e.getValue().equals(value)) {
        out.add(e.getKey() + "=" + value + " (spec " + e.getValue() + ")");
      }
    }
    return out;
  }

  /** The replication factor a topic has on the cluster (its first partition's replicas). */
  public int replicationFactor(String topic) throws ExecutionException, InterruptedException {
    return describe(topic).partitions().get(0).replicas().size();
  }

  /**
   * A topic's description, asked again while the broker answered that it does not know it: createTopics returns once the
   * controller has the topic, and the broker asked may learn of it a moment later (seen: 'topics create' failing with
   * "This server does not host this topic-partition" right after a restarted broker created its topics). 30 s at most.
   */
  private TopicDescription describe(String topic) throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + DESCRIBE_PATIENCE_NANOS;
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the broker's metadata catches up on its own; nothing to await but asking again
      }
    }
  }

  private static final long DESCRIBE_PATIENCE_NANOS = 30_000_000_000L;

  public static String summary(List<Result> results) {
    Map<Status, Long> counts = results.stream().collect(Collectors.groupingBy(Result::status, Collectors.counting()));
    return counts.getOrDefault(Status.CREATED, 0L) + " created, " + counts.getOrDefault(Status.OK, 0L) + " ok, "
        + counts.getOrDefault(Status.DRIFT, 0L) + " drifted";
  }
}
