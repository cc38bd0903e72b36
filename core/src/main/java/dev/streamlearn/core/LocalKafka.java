package dev.streamlearn.core;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real KRaft Apache Kafka node (combined broker and controller) on loopback, run in a child JVM
 * from the jars on this JVM's classpath (the {@code kafka_2.13} artifact from Maven Central): on its
 * own a single-node cluster, or one voter of a {@link LocalKafkaCluster}. Storage is formatted on
 * first start; start is idempotent; stop shuts the broker down cleanly (SIGTERM, controlled
 * shutdown) and only forces it after a timeout.
 *
 * <p>Secure mode ({@link #secure()}) serves clients TLS + SASL/SCRAM-SHA-512 only, with ACLs
 * enforced and nothing allowed by default (see {@link LocalKafkaSecurity}, {@link PipelineAcls}).
 * It is sticky: once a data directory holds secure material, the broker always starts secured.
 */
public final class LocalKafka {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** How long a broker waits for a previous transaction's markers before answering a produce CONCURRENT_TRANSACTIONS (see writeServerProperties); docker/secure/init.sh sets the same. */
  static final int ADD_PARTITIONS_TO_TXN_RETRY_MAX_MS = 1000;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final String heap;
  private final String classpath;
  private final int nodeId;
  private final String quorumVoters;
  private final String clusterId;
  private final ClusterReplication replication;
  private final LocalKafkaSecurity security;
  private boolean secure;

  /** A single-node cluster. */
  public LocalKafka(Path dir, int port, int controllerPort, String heap, String classpath) {
    this(dir, port, controllerPort, heap, classpath, 1, "1@127.0.0.1:" + controllerPort, null, new ClusterReplication(1));
  }

  /**
   * One node of a cluster: {@code quorumVoters} names every controller ({@code id@host:port,...}),
   * {@code clusterId} is the id its storage is formatted with (null: a random one).
   */
  LocalKafka(Path dir, int port, int controllerPort, String heap, String classpath, int nodeId, String quorumVoters, String clusterId,
      ClusterReplication replication) {
    this.dir = dir.toAbsolutePath();
    this.port = port;
    this.controllerPort = controllerPort;
    this.heap = heap;
    this.classpath = classpath;
    this.nodeId = nodeId;
    this.quorumVoters = quorumVoters;
    this.clusterId = clusterId;
    this.replication = replication;
    this.security = new LocalKafkaSecurity(this.dir);
    this.secure = security.exists();
  }

  /** Asks for TLS, SASL/SCRAM and ACLs at the next start (the material is generated then if missing). */
  public LocalKafka secure() {
    this.secure = true;
    return this;
  }

  public boolean isSecure() {
    return secure;
  }

  public LocalKafkaSecurity security() {
    return security;
  }

  /** Kafka client settings for the broker's super user: empty on a plaintext broker. */
  public Map<String, String> adminClientSettings() throws IOException {
    return secure ? security.clientSettings(LocalKafkaSecurity.ADMIN) : Map.of();
  }

  /** This JVM's classpath; under Surefire the real test classpath rather than its manifest jar. */
  public static String currentClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * On a secured broker, creates the ACLs of the pipeline named by {@code pipeline}'s topic prefix
   * and writes each principal's client properties.
   *
   * @return the client properties files by principal
   */
  public Map<String, Path> grantPipeline(StreamlearnConfig pipeline) throws IOException, InterruptedException {
    if (!secure) {
      throw new IllegalStateException("the local broker in " + dir + " is not secured");
    }
    Map<String, Object> props = new java.util.HashMap<>(adminClientSettings());
    props.put("bootstrap.servers", bootstrap());
    try (Admin admin = Admin.create(props)) {
      new PipelineAcls(pipeline).apply(admin);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("creating the ACLs on " + bootstrap() + " failed: " + e.getCause(), e.getCause());
    }
    return security.writeClientProperties(bootstrap(), pipeline.getString(StreamlearnConfig.TOPIC_PREFIX));
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public int nodeId() {
    return nodeId;
  }

  public Path dir() {
    return dir;
  }

  public Path logFile() {
    return dir.resolve("broker.log");
  }

  /** The running broker's process, if the pid file names a live Kafka process. */
  public Optional<ProcessHandle> process() {
    Path pidFile = dir.resolve("broker.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isThisBroker);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Guards against a stale pid file naming a pid the OS has since reused: by another program, by another
   * broker (whose command line also says kafka.Kafka), or by a thread (ProcessHandle.of accepts thread ids,
   * and a thread's /proc entry shows its JVM's command line; signalling it would signal that JVM).
   */
  private boolean isThisBroker(ProcessHandle h) {
    Path proc = Path.of("/proc", Long.toString(h.pid()));
    try {
      String status = Files.readString(proc.resolve("status"), StandardCharsets.UTF_8);
      if (!status.contains("\nTgid:\t" + h.pid() + "\n")) {
        return false;
      }
      // ProcessHandle.Info truncates long command lines (our classpath is long), so read /proc directly.
      String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
      return cmdline.contains("kafka.Kafka") && cmdline.contains(dir.resolve("server.properties").toString());
    } catch (IOException e) {
      return false; // no /proc entry: the process has gone
    }
  }


  public boolean isRunning() {
    return process().isPresent();
  }

  /**
   * Starts the broker unless it already runs, and waits until it answers.
   *
   * @return true if this call started it, false if it was already running
   */
  public boolean start() throws IOException, InterruptedException {
    Optional<Process> started = launch();
    awaitReady(started.map(p -> Map.of(p, this)).orElse(Map.of()));
    return started.isPresent();
  }

  /**
   * Starts the broker process unless it already runs, without waiting for it to answer: the nodes of
   * a cluster answer only once a majority of the quorum runs, so the cluster launches them all first.
   *
   * @return the process this call started, empty if the broker was already running
   */
  Optional<Process> launch() throws IOException, InterruptedException {
    if (isRunning()) {
      return Optional.empty();
    }
    Files.createDirectories(dir);
    boolean formatted = Files.exists(dir.resolve("data").resolve("meta.properties"));
    if (secure && !security.exists()) {
      if (formatted) {
        // The SCRAM credentials can only enter the metadata when the storage is formatted.
        throw new IOException("the local broker's storage in " + dir + " was formatted without --secure; stop it and remove " + dir
            + " (its topics are lost), or use another local.kafka.dir");
      }
      security.ensure();
    }
    Path props = writeServerProperties();
    writeLog4j();
    if (!formatted) {
      format(props);
    }
    List<String> cmd = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      cmd.add("/usr/bin/setsid"); // its own session: a Ctrl-C in the terminal that started it does not kill it
    }
    cmd.addAll(javaCommand());
    cmd.add("kafka.Kafka");
    cmd.add(props.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    Files.writeString(dir.resolve("broker.pid"), Long.toString(p.pid()));
    return Optional.of(p);
  }

  private List<String> javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ArrayList<>(List.of(java, "-Xms256m", "-Xmx" + heap, "-XX:+UseG1GC", "-Djava.awt.headless=true",
        "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "-Dkafka.logs.dir=" + dir, "-cp", classpath));
  }

  private void format(Path props) throws IOException, InterruptedException {
    List<String> cmd = javaCommand();
    cmd.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId != null ? clusterId : Uuid.randomUuid().toString(), "-c", props.toString()));
    if (secure) {
      cmd.addAll(security.formatArguments());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.out").toFile())).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("formatting Kafka storage failed; see " + dir.resolve("format.out") + ":\n" + tail(dir.resolve("format.out")));
    }
  }

  /**
   * Waits until this node answers.
   *
   * @param watched processes whose exit means it never will: its own, and in a cluster the nodes launched with
   *     it (a quorum that has lost a majority does not form, so waiting out the timeout would only delay the error)
   */
  void awaitReady(Map<Process, LocalKafka> watched) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Map<String, Object> props = new java.util.HashMap<>(adminClientSettings());
    props.putAll(Map.of("bootstrap.servers", bootstrap(), "request.timeout.ms", 2000,
        "default.api.timeout.ms", 3000, "socket.connection.setup.timeout.ms", 1000));
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        for (Map.Entry<Process, LocalKafka> w : watched.entrySet()) {
          if (!w.getKey().isAlive()) {
            Path out = w.getValue().dir.resolve("broker.out");
            throw new IOException("the Kafka broker in " + w.getValue().dir + " exited with code " + w.getKey().exitValue() + "; last lines of "
                + out + ":\n" + tail(out) + "\nlast lines of " + w.getValue().logFile() + ":\n" + tail(w.getValue().logFile()));
          }
        }
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // not up yet
        }
        Thread.sleep(200); // polling a socket that has no event to wait on
      }
    }
    throw new IOException("the Kafka broker did not answer on " + bootstrap() + " within " + START_TIMEOUT.toSeconds() + " s; see " + logFile());
  }

  /** Stops the broker; returns false if none was running. */
  public boolean stop() throws InterruptedException {
    return stop(STOP_TIMEOUT);
  }

  /**
   * Stops the broker, SIGKILLing it if a controlled shutdown takes longer than {@code timeout}; returns false if
   * none was running.
   */
  boolean stop(Duration timeout) throws InterruptedException {
    Optional<ProcessHandle> h = process();
    if (h.isEmpty()) {
      deletePidFile();
      return false;
    }
    ProcessHandle ph = h.get();
    ph.destroy();
    try {
      ph.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      ph.destroyForcibly();
      try {
        ph.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e2) {
        // Keep the pid file: deleting it would make the next status and stop forget a broker that still runs.
        throw new IllegalStateException("the Kafka broker (pid " + ph.pid() + ", data " + dir + ") still runs 10 s after SIGKILL; "
            + "its pid file is kept: check the process and run stop again", e2);
      }
    }
    deletePidFile();
    return true;
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(dir.resolve("broker.pid"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path writeServerProperties() throws IOException {
    String data = dir.resolve("data").toString();
    String listener = secure ? "SECURE" : "PLAINTEXT";
    List<String> lines = new ArrayList<>(List.of(
        "# Written by streamlearn (LocalKafka): a KRaft node (broker and controller) on loopback.",
        "process.roles=broker,controller",
        "node.id=" + nodeId,
        "controller.quorum.voters=" + quorumVoters,
        "listeners=" + listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=" + listener + "://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=" + listener));
    if (secure) {
      lines.addAll(security.brokerSettings(listener, "CONTROLLER"));
    } else {
      lines.add("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    }
    lines.addAll(List.of(
        "log.dirs=" + data,
        "num.partitions=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.num.partitions=4",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "log.retention.hours=168",
        "log.segment.bytes=268435456",
        "log.cleaner.dedupe.buffer.size=33554432",
        // Under transaction version 2 a transaction's first produce to a partition waits, in the broker, for the previous
        // transaction's markers, for at most this long (Kafka's default 100 ms); past it the producer is answered
        // CONCURRENT_TRANSACTIONS and retries after its own backoff. On two shared cores the markers of a 50 ms commit
        // sometimes take longer: the stream thread then waited in its commit's flush for the retries (docs/benchmarks.md,
        // session 17). Waiting in the broker resumes in 20 ms steps instead.
        "add.partitions.to.txn.retry.backoff.max.ms=" + ADD_PARTITIONS_TO_TXN_RETRY_MAX_MS));
    replication.brokerSettings().forEach((k, v) -> lines.add(k + "=" + v));
    lines.add("");
    Path p = dir.resolve("server.properties");
    Files.deleteIfExists(p);
    // Holds the keystore and admin passwords in secure mode: private from the first byte.
    Files.createFile(p, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(p, String.join("\n", lines), StandardCharsets.UTF_8);
    return p;
  }

  private void writeLog4j() throws IOException {
    String text = String.join("\n",
        "appender.file.type=RollingFile",
        "appender.file.name=file",
        "appender.file.fileName=" + logFile(),
        "appender.file.filePattern=" + dir.resolve("broker.log.%i"),
        "appender.file.layout.type=PatternLayout",
        "appender.file.layout.pattern=[%d] %p %m (%c)%n",
        "appender.file.policies.type=Policies",
        "appender.file.policies.size.type=SizeBasedTriggeringPolicy",
        "appender.file.policies.size.size=20MB",
        "appender.file.strategy.type=DefaultRolloverStrategy",
        "appender.file.strategy.max=3",
        "rootLogger.level=INFO",
        "rootLogger.appenderRef.file.ref=file",
        "logger.kafka.name=kafka",
        "logger.kafka.level=INFO",
        "logger.state.name=state.change.logger",
        "logger.state.level=WARN",
        "");
    Files.writeString(dir.resolve("log4j2.properties"), text, StandardCharsets.UTF_8);
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ")";
    }
  }
}
