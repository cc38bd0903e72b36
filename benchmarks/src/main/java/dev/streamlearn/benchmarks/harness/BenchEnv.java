package dev.streamlearn.benchmarks.harness;

import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Per-run isolation for benchmarks: a fresh topic prefix (and so application id and groups), removed afterwards. */
final class BenchEnv implements AutoCloseable {

  final StreamlearnConfig config;
  final KafkaClients clients;
  final Path stateDir;
  private final String prefix;
  private final boolean keyById;

  BenchEnv(StreamlearnConfig base, String name, Map<String, String> overrides) throws Exception {
    this(base, name, overrides, false);
  }

  /** @param keyById key each raw record by its id, as 'produce' does (false: no key, every record crosses the repartition topic) */
  BenchEnv(StreamlearnConfig base, String name, Map<String, String> overrides, boolean keyById) throws Exception {
    this.keyById = keyById;
    this.prefix = "bench-" + name + "-" + System.currentTimeMillis() + ".";
    Files.createDirectories(Path.of(".streamlearn"));
    this.stateDir = Files.createTempDirectory(Path.of(".streamlearn"), "bench-state-");
    Map<String, String> m = new TreeMap<>(Map.of(StreamlearnConfig.TOPIC_PREFIX, prefix, StreamlearnConfig.STATE_DIR, stateDir.toString(),
        StreamlearnConfig.TOPIC_RETENTION_MS, String.valueOf(3_600_000L), StreamlearnConfig.CACHE_DIR, stateDir.resolve("cache").toString()));
    m.putAll(overrides);
    this.config = base.with(m);
    this.clients = new KafkaClients(config);
    dev.streamlearn.client.snapshot.SigningKey.ensureLocalFile(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
  }

  /** Sends pre-encoded values to records.raw; returns records/s of the producer. */
  double load(List<byte[]> values) {
    return load(values.size(), values::get);
  }

  /** Sends {@code n} generated values to records.raw; returns records/s of the producer. */
  double load(int n, java.util.function.IntFunction<byte[]> gen) {
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (int i = 0; i < n; i++) {
        p.send(raw(gen.apply(i)));
      }
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  ProducerRecord<byte[], byte[]> raw(byte[] value) {
    return new ProducerRecord<>(config.topic(TopicName.RAW), keyById ? dev.streamlearn.core.IdKey.of(value) : null, value);
  }

  static long directorySize(Path p) {
    try (var walk = Files.walk(p)) {
      return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    try (Admin admin = clients.admin()) {
      List<String> ours = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      admin.deleteTopics(ours).all().get();
    }
    dev.streamlearn.core.Dirs.deleteRecursively(stateDir);
  }
}
