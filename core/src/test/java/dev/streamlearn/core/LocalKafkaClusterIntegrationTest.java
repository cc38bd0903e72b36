package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three KRaft nodes as three processes: replication 3, min ISR 2, and transactions that go on while one node is SIGKILLed. */
class LocalKafkaClusterIntegrationTest {

  @Test
  void threeNodesReplicateAndKeepTransactingWithOneKilled(@TempDir Path dir) throws Exception {
    int port = RealKafka.freePortBlock(6);
    LocalKafkaCluster cluster = LocalKafkaCluster.of(dir, 3, port, port + 1, "384m", LocalKafka.currentClasspath());
    try {
      assertThat(cluster.start()).containsExactly(1, 2, 3);
      assertThat(cluster.nodes()).extracting(n -> n.process().orElseThrow().pid()).doesNotHaveDuplicates();
      StreamlearnConfig config = StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, cluster.bootstrap(), StreamlearnConfig.TOPIC_PREFIX, "cluster."));
      KafkaClients clients = new KafkaClients(config);
      String topic = config.topic(TopicName.TRAIN);
      try (Admin admin = clients.admin()) {
        assertThat(admin.describeCluster().nodes().get()).hasSize(3);
        // The default topic.replication.factor (-1) takes the cluster's: 3, with 2 replicas in sync required.
        assertThat(DefaultReplication.resolve(admin, config).getShort(StreamlearnConfig.TOPIC_REPLICATION)).isEqualTo((short) -1);
        new TopicAdmin(admin).ensure(TopicSpec.all(config));
        TopicDescription d = describedOnceKnown(admin, topic);
        assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertThat(admin.describeConfigs(List.of(res)).all().get().get(res).get("min.insync.replicas").value()).isEqualTo("2");

        // SIGKILL the node that leads partition 0: writes must move to the other two without losing or doubling anything.
        int leader = d.partitions().get(0).leader().id();
        LocalKafka victim = cluster.nodes().get(leader - 1);
        ProcessHandle handle = victim.process().orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get(30, TimeUnit.SECONDS);
        assertThat(victim.isRunning()).isFalse();

        List<String> sent = IntStream.range(0, 300).mapToObj(i -> "r" + i).toList();
        try (KafkaProducer<byte[], byte[]> producer = clients.transactionalProducer("cluster-test-" + System.nanoTime())) {
          producer.initTransactions();
          for (int batch = 0; batch < 3; batch++) {
            producer.beginTransaction();
            for (String v : sent.subList(batch * 100, batch * 100 + 100)) {
              producer.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
            }
            producer.commitTransaction();
          }
          // An aborted transaction must stay invisible to read_committed readers.
          producer.beginTransaction();
          producer.send(new ProducerRecord<>(topic, "aborted".getBytes(StandardCharsets.UTF_8)));
          producer.flush();
          producer.abortTransaction();
        }
        assertThat(readAll(clients, topic, d.partitions().size())).containsExactlyInAnyOrderElementsOf(sent);

        // The killed node comes back into the same cluster and catches up.
        assertThat(cluster.start()).containsExactly(leader);
        assertThat(admin.describeCluster().nodes().get()).hasSize(3);
      }
    } finally {
      cluster.stop();
    }
    assertThat(cluster.isRunning()).isFalse();
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))).isEmpty();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "nodes {0} cannot start")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"2", "2,3"})
  void aNodeThatCannotStartTakesDownTheNodesLaunchedWithIt(String failing, @TempDir Path dir) throws Exception {
    int port = RealKafka.freePortBlock(6);
    LocalKafkaCluster cluster = LocalKafkaCluster.of(dir, 3, port, port + 1, "384m", LocalKafka.currentClasspath());
    // Another program holds the failing nodes' client ports, so they exit at start. With one down, nodes 1 and 3 still
    // form a quorum; with two down, node 1 never answers: the error must name a node that exited, not a timeout.
    List<java.net.ServerSocket> taken = new ArrayList<>();
    try {
      for (String n : failing.split(",")) {
        taken.add(new java.net.ServerSocket(port + 2 * (Integer.parseInt(n) - 1), 50, java.net.InetAddress.getLoopbackAddress()));
      }
      assertThatThrownBy(cluster::start).isInstanceOf(java.io.IOException.class).hasMessageContaining("exited with code")
          .satisfies(e -> assertThat(java.util.Arrays.stream(failing.split(",")).map(n -> dir.resolve("node-" + n).toString()))
              .anyMatch(e.getMessage()::contains));
      // start() itself cleaned up: nothing for a later stop to find.
      assertThat(cluster.nodes()).noneMatch(LocalKafka::isRunning);
      assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))).isEmpty();
    } finally {
      for (java.net.ServerSocket s : taken) {
        s.close();
      }
      cluster.stop();
    }
  }

  private static List<String> readAll(KafkaClients clients, String topic, int partitions) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }

  /**
   * The topic's description once the broker asked knows it: a topic just created on one node of three reaches the
   * others' metadata a moment later (seen in fresh-clone CI: UnknownTopicOrPartitionException right after creation).
   */
  private static TopicDescription describedOnceKnown(Admin admin, String topic) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // polling the metadata until the condition holds; there is no notification to wait on
      }
    }
  }
}
