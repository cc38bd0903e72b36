package dev.streamlearn.cli;

import dev.streamlearn.core.LocalKafka;
import dev.streamlearn.core.LocalKafkaCluster;
import dev.streamlearn.core.PipelineAcls;
import dev.streamlearn.core.StreamlearnConfig;
import org.apache.kafka.clients.admin.Admin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
    description = "Run a real KRaft Kafka cluster on loopback (no Docker): one node, or three with --brokers 3. Data: local.kafka.dir "
        + "(default .streamlearn/kafka).",
    subcommands = {KafkaCommand.Start.class, KafkaCommand.Stop.class, KafkaCommand.Status.class, KafkaCommand.Grant.class})
public final class KafkaCommand {

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Format storage on first use, start the broker(s), wait until each answers, print the bootstrap addresses. Harmless if it "
          + "already runs; after a node was killed, starts that node again.")
  static final class Start implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(names = "--brokers", paramLabel = "N",
        description = "Nodes (combined broker+controller, one KRaft quorum, one process each). Node i listens on local.kafka.port + 2(i-1), "
            + "its controller on local.kafka.controller.port + 2(i-1), data in local.kafka.dir/node-i. Three nodes: replication factor 3, "
            + "min.insync.replicas 2 (topics, offsets and transaction logs), as docker/compose.yaml. Default: what local.kafka.dir holds, else 1.")
    int brokers;

    @Option(names = "--secure", description = "TLS + SASL/SCRAM-SHA-512 + ACLs, with a CA, certificates and random passwords generated in "
        + "<local.kafka.dir>/secure on first use (needs a fresh local.kafka.dir; a secured directory stays secured). "
        + "Writes one client properties file per principal (streams, updater, operator, producer, reader, admin) for --config.")
    boolean secure;

    @Override
    public Integer call() throws Exception {
      LocalKafkaCluster cluster = LocalKafkaCluster.fromConfig(options.config(), brokers);
      if (cluster.brokers() > 1) {
        if (secure) {
          System.err.println("--secure runs a single node only; a secured multi-broker cluster is docker/compose.yaml (see docker/README.md)");
          return 2;
        }
        long t0 = System.nanoTime();
        List<Integer> started = cluster.start();
        System.err.printf("kafka: %d-node cluster, %s (data %s, %.1f s)%n", cluster.brokers(),
            started.isEmpty() ? "already running" : "started node(s) " + started, cluster.dir(), (System.nanoTime() - t0) / 1e9);
        System.out.println(cluster.bootstrap());
        return 0;
      }
      LocalKafka kafka = cluster.nodes().get(0);
      if (secure) {
        kafka.secure();
      }
      long t0 = System.nanoTime();
      boolean started = kafka.start();
      System.err.printf("%s%s (pid %d, data %s, %.1f s)%n", started ? "kafka started" : "kafka already running", kafka.isSecure() ? " secured" : "",
          kafka.process().map(ProcessHandle::pid).orElse(-1L), kafka.dir(), (System.nanoTime() - t0) / 1e9);
      if (kafka.isSecure()) {
        // ACLs for this configuration's topic prefix; the passwords stay in the files (mode 600), never on the terminal.
        kafka.grantPipeline(options.config()).forEach((principal, file) -> System.err.printf("  %-9s --config %s%n", principal, file));
      }
      System.out.println(kafka.bootstrap());
      return 0;
    }
  }

  @Command(name = "grant", mixinStandardHelpOptions = true,
      description = "Create the ACLs of this configuration's topic.prefix on the configured cluster (principals streams, updater, operator, "
          + "producer, reader; see README 'Secured cluster'). Run it with a super user's credentials. Creating existing ACLs again is harmless.")
  static final class Grant implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      PipelineAcls acls = new PipelineAcls(options.config());
      try (Admin admin = options.clients().admin()) {
        acls.apply(admin);
      }
      System.err.printf("%d ACLs for topic prefix '%s' on %s%n", acls.bindings().size(), options.config().getString(StreamlearnConfig.TOPIC_PREFIX),
          options.config().getString(StreamlearnConfig.BOOTSTRAP));
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every local broker cleanly (controlled shutdown).")
  static final class Stop implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      List<Integer> stopped = LocalKafkaCluster.fromConfig(options.config(), 0).stop();
      System.err.println(stopped.isEmpty() ? "kafka was not running" : "kafka stopped" + (stopped.size() > 1 || stopped.get(0) != 1 ? " (nodes " + stopped + ")" : ""));
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"One line per local node: running (pid, address, partitions it leads) or stopped.",
          "Exit codes: 0 every node runs; 3 no node runs; 4 some nodes run and some do not (a node was killed: 'kafka start' restarts it)."})
  static final class Status implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      LocalKafkaCluster cluster = LocalKafkaCluster.fromConfig(options.config(), 0);
      boolean multi = cluster.brokers() > 1;
      // Partition leadership tells which node a fault would hurt most (scripts/cluster-check kills that one).
      Map<Integer, Integer> leaders = multi && cluster.isRunning() ? cluster.leaderCounts(Map.of()) : Map.of();
      int running = 0;
      for (LocalKafka kafka : cluster.nodes()) {
        String node = multi ? "node=" + kafka.nodeId() + " " : "";
        var p = kafka.process();
        if (p.isPresent()) {
          running++;
          System.out.println(node + "running pid=" + p.get().pid() + " bootstrap=" + kafka.bootstrap() + " data=" + kafka.dir()
              + (multi ? " leaders=" + (leaders.isEmpty() ? "?" : leaders.getOrDefault(kafka.nodeId(), 0)) : ""));
        } else {
          System.out.println(node + "stopped data=" + kafka.dir());
        }
      }
      return running == cluster.nodes().size() ? 0 : running == 0 ? 3 : 4;
    }
  }
}
