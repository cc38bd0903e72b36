package dev.streamlearn.streams;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A {@link TopologyTestDriver} around the preprocessing topology, with typed topics. */
final class TopologyFixture implements AutoCloseable {

  final StreamlearnConfig config;
  final DatasetSpec spec;
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> raw;
  final TestOutputTopic<String, ProcessedRecord> clean;
  final TestOutputTopic<String, ProcessedRecord> train;
  final TestOutputTopic<String, ProcessedRecord> eval;
  final TestOutputTopic<String, RejectedRecord> dlq;
  final TestOutputTopic<String, NormalizerStats> stats;
  private final Map<String, NormalizerStats> latest = new HashMap<>();

  TopologyFixture(Map<String, String> overrides, List<String> features, List<String> labels) throws Exception {
    Map<String, String> m = new HashMap<>(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092"));
    m.put(StreamlearnConfig.NORMALIZE_WARMUP_RECORDS, "0"); // records flow at once unless a test is about the warm-up
    m.put(StreamlearnConfig.CLEAN_TOPIC_ENABLED, "true"); // tests read every emitted record, train and eval, from records.clean
    m.putAll(overrides);
    config = StreamlearnConfig.of(m);
    // As DatasetSpecResolver pins it: the transform policies come from the configuration.
    spec = DatasetSpec.newBuilder().setFeatures(features).setLabels(labels).setMissing(config.getString(StreamlearnConfig.MISSING_POLICY))
        .setExtra(config.getString(StreamlearnConfig.EXTRA_POLICY)).setClipK(config.getDouble(StreamlearnConfig.CLIP_K))
        .setFeatureMaxAbs(config.getDouble(StreamlearnConfig.FEATURE_MAX_ABS)).build();
    Path state = Files.createTempDirectory("ttd-state");
    Properties props = PreprocessApp.streamsProperties(config, state.toString());
    driver = new TopologyTestDriver(PreprocessTopology.build(config, spec, 1), props, Instant.ofEpochMilli(0));
    raw = driver.createInputTopic(config.topic(TopicName.RAW), new ByteArraySerializer(), new ByteArraySerializer(), Instant.ofEpochMilli(1000), Duration.ofMillis(1));
    clean = driver.createOutputTopic(config.topic(TopicName.CLEAN), new StringDeserializer(), Avro.PROCESSED.deserializer());
    train = driver.createOutputTopic(config.topic(TopicName.TRAIN), new StringDeserializer(), Avro.PROCESSED.deserializer());
    eval = driver.createOutputTopic(config.topic(TopicName.EVAL), new StringDeserializer(), Avro.PROCESSED.deserializer());
    dlq = driver.createOutputTopic(config.topic(TopicName.DLQ), new StringDeserializer(), Avro.REJECTED.deserializer());
    stats = driver.createOutputTopic(config.topic(TopicName.STATS), new StringDeserializer(), Avro.STATS.deserializer());
  }

  /** What records.train holds, unpacked: each record followed by the synthetic records it carries. */
  java.util.List<ProcessedRecord> trainRecords() {
    return train.readValuesToList().stream().flatMap(r -> dev.streamlearn.schemas.TrainingRecords.unpack(r).stream()).toList();
  }

  void send(String json) {
    raw.pipeInput(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A record whose producer key is {@code key} (UTF-8), as 'produce' keys records by their id. */
  void sendKeyed(String key, String json) {
    raw.pipeInput(key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  void sendBytes(byte[] bytes) {
    raw.pipeInput(bytes);
  }

  /** Fires the reporters' wall-clock punctuation and merges every partition's latest report (of all read so far). */
  PipelineReport report() {
    driver.advanceWallClockTime(Duration.ofMillis(config.getLong(StreamlearnConfig.STATS_PUBLISH_MS) + 1));
    // Kept across calls, as the compacted topic keeps them: a reporter publishes only when its figures change.
    stats.readKeyValuesToList().forEach(kv -> latest.put(kv.key, kv.value));
    return PipelineReport.merge(latest.values(), spec);
  }

  static String json(String id, String label, double... xs) {
    StringBuilder sb = new StringBuilder("{\"id\":\"" + id + "\",\"label\":\"" + label + "\",\"features\":{");
    for (int i = 0; i < xs.length; i++) {
      sb.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(xs[i]);
    }
    return sb.append("}}").toString();
  }

  @Override
  public void close() {
    driver.close();
  }
}
