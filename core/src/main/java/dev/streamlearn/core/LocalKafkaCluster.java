package dev.streamlearn.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;

/**
 * The local Kafka cluster of {@code streamlearn kafka}: one {@link LocalKafka} node, or several
 * combined broker+controller nodes forming one KRaft quorum on loopback, each its own process
 * (so that one can be killed) with its own data directory and ports, and the replication of
 * {@link ClusterReplication}.
 *
 * <p>Layout: a single node lives in {@code local.kafka.dir} itself (as it always has); node
 * {@code i} of a larger cluster in {@code local.kafka.dir/node-i}, with client port
 * {@code local.kafka.port + 2(i-1)} and controller port {@code local.kafka.controller.port + 2(i-1)}
 * (the defaults give 19092/19093, 19094/19095, 19096/19097). The number of nodes and the cluster id
 * are kept in {@code cluster.properties}, so {@code status} and {@code stop} find every node, and a
 * restart brings a killed node back into the same cluster.
 */
public final class LocalKafkaCluster {

  static final String LAYOUT_FILE = "cluster.properties";
  private static final int PORT_STEP = 2;
  private static final Duration FAILED_START_GRACE = Duration.ofSeconds(10);

  private final Path dir;
  private final int brokers;
  private final String clusterId;
  private final List<LocalKafka> nodes;

  private LocalKafkaCluster(Path dir, int brokers, String clusterId, List<LocalKafka> nodes) {
    this.dir = dir;
    this.brokers = brokers;
    this.clusterId = clusterId;
    this.nodes = List.copyOf(nodes);
  }

  /**
   * The cluster in {@code local.kafka.dir}.
   *
   * @param brokers how many nodes; 0: as many as the directory holds (1 if it holds none yet)
   * @throws IOException if the directory holds a cluster of another size
   */
  public static LocalKafkaCluster fromConfig(StreamlearnConfig c, int brokers) throws IOException {
    return of(Path.of(c.getString(StreamlearnConfig.LOCAL_KAFKA_DIR)), brokers, c.getInt(StreamlearnConfig.LOCAL_KAFKA_PORT),
        c.getInt(StreamlearnConfig.LOCAL_KAFKA_CONTROLLER_PORT), c.getString(StreamlearnConfig.LOCAL_KAFKA_HEAP), LocalKafka.currentClasspath());
  }

  public static LocalKafkaCluster of(Path dir, int brokers, int port, int controllerPort, String heap, String classpath) throws IOException {
    Path root = dir.toAbsolutePath();
    Properties layout = readLayout(root);
    int held = layout == null ? (Files.exists(root.resolve("data").resolve("meta.properties")) ? 1 : 0)
        : Integer.parseInt(layout.getProperty("brokers"));
    int n = brokers > 0 ? brokers : Math.max(1, held);
    if (held != 0 && held != n) {
      throw new IOException(root + " holds a local cluster of " + held + " broker(s), not " + n + ": stop it and remove " + root
          + " (its topics are lost), or use another local.kafka.dir");
    }
    checkPorts(n, port, controllerPort);
    if (n == 1) {
      return new LocalKafkaCluster(root, 1, null, List.of(new LocalKafka(root, port, controllerPort, heap, classpath)));
    }
    String clusterId = layout != null ? layout.getProperty("cluster.id") : Uuid.randomUuid().toString();
    List<String> voters = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      voters.add(i + "@127.0.0.1:" + (controllerPort + PORT_STEP * (i - 1)));
    }
    ClusterReplication replication = new ClusterReplication(n);
    List<LocalKafka> nodes = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      nodes.add(new LocalKafka(root.resolve("node-" + i), port + PORT_STEP * (i - 1), controllerPort + PORT_STEP * (i - 1), heap, classpath, i,
          String.join(",", voters), clusterId, replication));
    }
    return new LocalKafkaCluster(root, n, clusterId, nodes);
  }

  private static void checkPorts(int n, int port, int controllerPort) {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ports.add(port + PORT_STEP * i);
      ports.add(controllerPort + PORT_STEP * i);
    }
    int highest = Math.max(port, controllerPort) + PORT_STEP * (n - 1);
    if (ports.size() != 2 * n || highest > 65535) {
      throw new ConfigException(StreamlearnConfig.LOCAL_KAFKA_PORT, port, "with local.kafka.controller.port=" + controllerPort + ", " + n
          + " nodes need distinct client and controller ports (node i: both + 2(i-1)) up to 65535; e.g. local.kafka.controller.port = local.kafka.port + 1");
    }
  }

  private static Properties readLayout(Path root) throws IOException {
    Path file = root.resolve(LAYOUT_FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  public List<LocalKafka> nodes() {
    return nodes;
  }

  public int brokers() {
    return brokers;
  }

  public Path dir() {
    return dir;
  }

  /** Every node's client address, comma-separated: what clients should bootstrap from, so that any one node may be down. */
  public String bootstrap() {
    return nodes.stream().map(LocalKafka::bootstrap).collect(Collectors.joining(","));
  }

  /** Whether any node runs. */
  public boolean isRunning() {
    return nodes.stream().anyMatch(LocalKafka::isRunning);
  }

  /**
   * Starts every node that is not running (all of them, before waiting: a node answers only once a
   * majority of the quorum runs), then waits until each answers on its own port.
   *
   * @return the ids of the nodes this call started
   */
  public List<Integer> start() throws IOException, InterruptedException {
    if (brokers > 1 && readLayout(dir) == null) {
      Files.createDirectories(dir);
      Properties layout = new Properties();
      layout.setProperty("brokers", Integer.toString(brokers));
      layout.setProperty("cluster.id", clusterId);
      try (OutputStream out = Files.newOutputStream(dir.resolve(LAYOUT_FILE))) {
        layout.store(out, "streamlearn local Kafka cluster: every node is formatted with this id");
      }
    }
    Map<LocalKafka, Optional<Process>> launched = new java.util.LinkedHashMap<>();
    try {
      for (LocalKafka node : nodes) {
        launched.put(node, node.launch());
      }
      Map<Process, LocalKafka> watched = new java.util.LinkedHashMap<>();
      launched.forEach((node, p) -> p.ifPresent(process -> watched.put(process, node)));
      List<Integer> started = new ArrayList<>();
      for (Map.Entry<LocalKafka, Optional<Process>> e : launched.entrySet()) {
        e.getKey().awaitReady(watched);
        e.getValue().ifPresent(p -> started.add(e.getKey().nodeId()));
      }
      return started;
    } catch (IOException | InterruptedException | RuntimeException e) {
      // A node that cannot start (a taken port, a broken data directory) must not leave the nodes this
      // call launched running unseen: the caller gets an error, not a partial cluster to find and kill.
      stopLaunched(launched);
      throw e;
    }
  }

  private static void stopLaunched(Map<LocalKafka, Optional<Process>> launched) throws InterruptedException {
    List<LocalKafka> ours = launched.entrySet().stream().filter(e -> e.getValue().isPresent()).map(Map.Entry::getKey).toList();
    try {
      // Nodes running before this call are not ours to stop. Ours never formed a working cluster: a controlled
      // shutdown would wait for a quorum that may not exist, so they get a short grace before SIGKILL.
      stopAll(ours, FAILED_START_GRACE);
    } catch (RuntimeException stopFailure) {
      launched.values().forEach(p -> p.ifPresent(Process::destroyForcibly));
    }
  }

  /**
   * Stops every node, all at once: stopped one after the other, the last nodes would wait for a
   * controller quorum that has already gone.
   *
   * @return the ids of the nodes that were running
   */
  public List<Integer> stop() throws InterruptedException {
    List<Integer> running = nodes.stream().filter(LocalKafka::isRunning).map(LocalKafka::nodeId).toList();
    stopAll(nodes, null);
    return running;
  }

  /**
   * Stops the nodes in parallel, each with a controlled shutdown while the others still form a quorum.
   *
   * @param grace how long a controlled shutdown may take before SIGKILL; null: the node's default
   */
  private static void stopAll(List<LocalKafka> nodes, Duration grace) throws InterruptedException {
    List<Thread> stops = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (LocalKafka node : nodes) {
      Thread t = new Thread(() -> {
        try {
          if (grace == null) {
            node.stop();
          } else {
            node.stop(grace);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }, "stop-kafka-" + node.nodeId());
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      t.join();
    }
    if (!failures.isEmpty()) {
      // A node that would not die is an error the operator must see, not a line lost in a thread.
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  /**
   * How many partitions (internal topics included) each running node leads, by node id; empty if
   * the cluster does not answer within 20 s.
   */
  public Map<Integer, Integer> leaderCounts(Map<String, String> clientSettings) {
    Map<String, Object> props = new TreeMap<>(clientSettings);
    // Generous: on a loaded machine (or with a node just killed) metadata requests take seconds.
    props.putAll(Map.of("bootstrap.servers", bootstrap(), "request.timeout.ms", 10_000, "default.api.timeout.ms", 20_000,
        "socket.connection.setup.timeout.ms", 2000));
    Map<Integer, Integer> counts = new TreeMap<>();
    try (Admin admin = Admin.create(props)) {
      Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(20, TimeUnit.SECONDS);
      Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(20, TimeUnit.SECONDS);
      for (TopicDescription d : described.values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          if (p.leader() != null && !p.leader().isEmpty()) {
            counts.merge(p.leader().id(), 1, Integer::sum);
          }
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
    return counts;
  }
}
