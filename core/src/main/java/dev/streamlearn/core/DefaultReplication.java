package dev.streamlearn.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * What {@code topic.replication.factor = -1} means: the brokers' {@code default.replication.factor}, unless that
 * is below min(3, brokers), as Kafka's stock default of 1 is on any cluster not set up for it: then min(3,
 * brokers), so that one broker's loss never takes the only copy of a record. Resolved once, where topics are
 * created (`topics create`, `streams`, `quickstart`), so the pipeline's topics and the Streams app's internal
 * topics get the same factor.
 */
public final class DefaultReplication {

  static final int WANTED = 3;

  private DefaultReplication() {}

  /** The configuration with an explicit factor in place of -1 where the brokers' default is too low; else unchanged. */
  public static StreamlearnConfig resolve(Admin admin, StreamlearnConfig c) throws InterruptedException {
    if (c.getShort(StreamlearnConfig.TOPIC_REPLICATION) != -1) {
      return c;
    }
    try {
      Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
      if (nodes.isEmpty()) {
        return c;
      }
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(nodes.iterator().next().id()));
      Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
      ConfigEntry entry = config == null ? null : config.get("default.replication.factor");
      int brokerDefault = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
      short chosen = choose(brokerDefault, nodes.size());
      return chosen == -1 ? c : c.with(Map.of(StreamlearnConfig.TOPIC_REPLICATION, Short.toString(chosen)));
    } catch (ExecutionException | TimeoutException | NumberFormatException e) {
      // Not allowed to read broker configs (an ACL-restricted principal), or no answer: the brokers' default it is,
      // and 'topics create' still warns when that leaves fewer copies than brokers allow.
      return c;
    }
  }

  /** -1 (keep the brokers' default) or the factor to use instead. */
  static short choose(int brokerDefault, int brokers) {
    int wanted = Math.min(WANTED, brokers);
    return brokerDefault >= wanted ? -1 : (short) wanted;
  }
}
