package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.LocalKafka;
import dev.streamlearn.core.LocalKafkaSecurity;
import dev.streamlearn.core.PipelineAcls;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.streams.DatasetSpecResolver;
import dev.streamlearn.streams.PreprocessApp;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import dev.streamlearn.updater.ModelUpdater;
import dev.streamlearn.updater.SnapshotEvent;
import dev.streamlearn.client.CurrentModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker started the way 'streamlearn kafka start --secure' starts it: TLS, SASL/SCRAM and ACLs.
 * The pipeline runs on it with configuration only (each app reads its principal's generated
 * properties file), and clients without credentials or with the wrong principal are refused.
 */
class SecureClusterIntegrationTest {

  private static final String KEY = "secure-test-signing-key-0123456789abcdef012345";
  private static LocalKafka kafka;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    kafka = new LocalKafka(Files.createTempDirectory("streamlearn-secure-"), RealKafka.freePort(), RealKafka.freePort(), "768m",
        LocalKafka.currentClasspath()).secure();
    kafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.stop();
  }

  @Test
  void thePipelinePublishesAModelWithEachAppOnItsOwnPrincipal() throws Exception {
    Map<String, Path> files = grant("pipeline");
    for (Path f : files.values()) {
      assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(Files.readString(kafka.dir().resolve("server.properties"))).contains("allow.everyone.if.no.acl.found=false");
    assertThat(Files.getPosixFilePermissions(kafka.dir().resolve("server.properties"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    assertThat(Main.commandLine().execute("topics", "create", "-c", files.get(PipelineAcls.OPERATOR).toString())).isZero();
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(5, 0.02, 0.02).generate(4000);
    Path jsonl = Files.createTempFile("secure", ".jsonl");
    Files.write(jsonl, data.lines(), StandardCharsets.UTF_8);
    assertThat(Main.commandLine().execute("produce", "-c", files.get(PipelineAcls.PRODUCER).toString(), jsonl.toString())).isZero();

    StreamlearnConfig streams = config(files, PipelineAcls.STREAMS, Map.of());
    StreamlearnConfig updater = config(files, PipelineAcls.UPDATER, Map.of("model.name", "m", "updater.cache.dir",
        Files.createTempDirectory("cache").toString(), "updater.snapshot.every.records", "1000", "snapshot.signing.key", KEY));
    DatasetSpec spec = new DatasetSpecResolver(new KafkaClients(streams)).resolve(Duration.ofSeconds(60));
    List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (PreprocessApp app = new PreprocessApp(streams, spec, Files.createTempDirectory("state").toString())) {
      app.start();
      Future<?> run = executor.submit(() -> {
        try (ModelUpdater u = new ModelUpdater(updater, events::add)) {
          u.run(stop);
        }
        return null;
      });
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
        if (run.isDone()) {
          run.get(); // the updater failed: show why
        }
        return events.stream().anyMatch(e -> e instanceof SnapshotEvent.Published);
      });
      stop.set(true);
      run.get(60, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
      executor.shutdownNow();
    }

    // A downstream service with read-only credentials loads and verifies the published model.
    CurrentModel current = new CurrentModel(new KafkaClients(config(files, PipelineAcls.READER, Map.of("snapshot.signing.key", KEY))), "m");
    assertThat(current.refresh()).isTrue();
    assertThat(current.version()).isPositive();
  }

  @Test
  void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() throws Exception {
    Map<String, Object> none = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrap(), "request.timeout.ms", 2000, "default.api.timeout.ms", 5000));
    try (Admin admin = Admin.create(none)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
    Map<String, Object> wrong = new HashMap<>(kafka.security().clientSettings(PipelineAcls.OPERATOR, "not-the-password"));
    wrong.putAll(Map.of("bootstrap.servers", kafka.bootstrap(), "request.timeout.ms", 5000, "default.api.timeout.ms", 10000));
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void onlyTheUpdatersPrincipalMayPublishASnapshotAndOperatorsWriteCommands() throws Exception {
    Map<String, Path> files = grant("principals");
    assertThat(Main.commandLine().execute("topics", "create", "-c", files.get(PipelineAcls.OPERATOR).toString())).isZero();
    StreamlearnConfig any = config(files, PipelineAcls.OPERATOR, Map.of());
    String snapshots = any.topic(TopicName.SNAPSHOTS);

    for (String principal : List.of(PipelineAcls.STREAMS, PipelineAcls.OPERATOR, PipelineAcls.PRODUCER, PipelineAcls.READER)) {
      assertThat(send(files, principal, snapshots)).as(principal + " -> " + snapshots).isInstanceOf(TopicAuthorizationException.class);
      assertThat(send(files, principal, any.topic(TopicName.CURRENT))).as(principal + " -> model.current").isInstanceOf(TopicAuthorizationException.class);
    }
    assertThat(send(files, PipelineAcls.UPDATER, snapshots)).isNull();
    assertThat(send(files, PipelineAcls.OPERATOR, any.topic(TopicName.COMMANDS))).isNull();
    assertThat(send(files, PipelineAcls.OPERATOR, any.topic(TopicName.RAW))).as("dlq reprocess").isNull();
    assertThat(send(files, PipelineAcls.STREAMS, any.topic(TopicName.COMMANDS))).isInstanceOf(TopicAuthorizationException.class);
    assertThat(send(files, PipelineAcls.UPDATER, any.topic(TopicName.TRAIN))).isInstanceOf(TopicAuthorizationException.class);
    assertThat(send(files, PipelineAcls.PRODUCER, any.topic(TopicName.RAW))).isNull();

    // Another pipeline's topics are out of reach until 'kafka grant' (run as the super user) creates its ACLs.
    String other = "topic.prefix=granted-" + System.nanoTime() + ".";
    String operator = files.get(PipelineAcls.OPERATOR).toString();
    assertThat(Main.commandLine().execute("topics", "create", "-c", operator, "-D", other)).isNotZero();
    assertThat(Main.commandLine().execute("kafka", "grant", "-c", files.get(LocalKafkaSecurity.ADMIN).toString(), "-D", other)).isZero();
    assertThat(Main.commandLine().execute("topics", "create", "-c", operator, "-D", other)).isZero();
  }

  private static Map<String, Path> grant(String name) throws Exception {
    StreamlearnConfig pipeline = StreamlearnConfig.of(Map.of(StreamlearnConfig.TOPIC_PREFIX, name + "-" + System.nanoTime() + "."));
    return kafka.grantPipeline(pipeline);
  }

  /** The app's configuration: only its principal's generated file, plus settings that are not about security. */
  private static StreamlearnConfig config(Map<String, Path> files, String principal, Map<String, String> overrides) {
    return StreamlearnConfig.load(files.get(principal), Map.of(), overrides);
  }

  /** Sends one record as {@code principal}; returns the cause of the failure, or null if the broker acknowledged it. */
  private static Throwable send(Map<String, Path> files, String principal, String topic) {
    Map<String, Object> p = new KafkaClients(config(files, principal, Map.of())).producerProps();
    p.put("delivery.timeout.ms", 15000);
    p.put("request.timeout.ms", 10000);
    p.put("max.block.ms", 15000);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }
}
