package dev.streamlearn.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replication settings of a cluster of {@code brokers} nodes, declared once: the local cluster
 * ({@link LocalKafkaCluster}) writes them into every node's server properties, and a test holds
 * {@code docker/compose.yaml}'s brokers (their properties come from {@code docker/secure/init.sh})
 * to the same values for three brokers.
 *
 * <p>Three replicas with two in sync is the smallest layout that keeps accepting {@code acks=all}
 * writes, transactions included, while one broker is down, and never acknowledges a write that only
 * one broker holds. With fewer brokers every topic has as many replicas as there are brokers.
 */
public record ClusterReplication(int brokers) {

  public ClusterReplication {
    if (brokers < 1) {
      throw new IllegalArgumentException("a cluster has at least one broker, not " + brokers);
    }
  }

  public short replicationFactor() {
    return (short) Math.min(3, brokers);
  }

  public short minInsyncReplicas() {
    return (short) (brokers >= 3 ? 2 : 1);
  }

  /** Broker properties: every topic's default, the internal topics' (offsets, transactions, share groups) and min.insync.replicas. */
  public Map<String, String> brokerSettings() {
    String rf = Short.toString(replicationFactor());
    String isr = Short.toString(minInsyncReplicas());
    Map<String, String> s = new LinkedHashMap<>();
    s.put("default.replication.factor", rf);
    s.put("min.insync.replicas", isr);
    s.put("offsets.topic.replication.factor", rf);
    s.put("transaction.state.log.replication.factor", rf);
    s.put("transaction.state.log.min.isr", isr);
    s.put("share.coordinator.state.topic.replication.factor", rf);
    s.put("share.coordinator.state.topic.min.isr", isr);
    return s;
  }
}
