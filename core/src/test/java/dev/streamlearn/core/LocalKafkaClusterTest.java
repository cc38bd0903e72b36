package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's layout, without starting a broker. */
class LocalKafkaClusterTest {

  @Test
  void nodesGetDistinctPortsAndDirectories(@TempDir Path dir) throws IOException {
    LocalKafkaCluster cluster = LocalKafkaCluster.of(dir, 3, 19092, 19093, "1g", "");
    assertThat(cluster.bootstrap()).isEqualTo("127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096");
    assertThat(cluster.nodes()).extracting(LocalKafka::dir).containsExactly(dir.resolve("node-1"), dir.resolve("node-2"), dir.resolve("node-3"));
    assertThat(cluster.nodes()).extracting(LocalKafka::nodeId).containsExactly(1, 2, 3);
  }

  @Test
  void aSingleNodeKeepsTheDirectoryItself(@TempDir Path dir) throws IOException {
    LocalKafkaCluster cluster = LocalKafkaCluster.of(dir, 0, 19092, 19093, "1g", "");
    assertThat(cluster.brokers()).isEqualTo(1);
    assertThat(cluster.nodes()).extracting(LocalKafka::dir).containsExactly(dir);
  }

  @Test
  void stopAndStatusFindEveryNodeOfTheDirectory(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(LocalKafkaCluster.LAYOUT_FILE), "brokers=3\ncluster.id=x\n");
    assertThat(LocalKafkaCluster.of(dir, 0, 19092, 19093, "1g", "").brokers()).isEqualTo(3);
  }

  @Test
  void aDirectoryHoldingAnotherClusterSizeIsRefused(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(LocalKafkaCluster.LAYOUT_FILE), "brokers=3\ncluster.id=x\n");
    assertThatThrownBy(() -> LocalKafkaCluster.of(dir, 1, 19092, 19093, "1g", "")).hasMessageContaining("holds a local cluster of 3 broker(s), not 1");
    Path single = Files.createDirectories(dir.resolve("single").resolve("data"));
    Files.writeString(single.resolve("meta.properties"), "node.id=1\n");
    assertThatThrownBy(() -> LocalKafkaCluster.of(single.getParent(), 3, 19092, 19093, "1g", "")).hasMessageContaining("not 3");
  }

  @Test
  void overlappingPortsAreRefused(@TempDir Path dir) {
    // node 2's client port would be node 1's controller port
    assertThatThrownBy(() -> LocalKafkaCluster.of(dir, 3, 19092, 19094, "1g", "")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("distinct client and controller ports");
    assertThatThrownBy(() -> LocalKafkaCluster.of(dir, 3, 65532, 65533, "1g", "")).isInstanceOf(ConfigException.class);
  }
}
