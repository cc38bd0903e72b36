package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.RealKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

  @Test
  void readmeConfigurationTableIsTheGeneratedOne() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(readme).contains(ConfigCommand.markdownTable());
  }

  @Test
  void everyCommandHasHelp() {
    CommandLine cl = Main.commandLine();
    assertThat(cl.getSubcommands()).containsKeys("kafka", "topics", "produce", "consume", "streams", "stats", "dlq", "updater", "models", "quickstart");
    cl.getSubcommands().values().forEach(sub -> {
      assertThat(sub.getUsageMessage()).contains("Usage:");
      sub.getSubcommands().values().forEach(s -> assertThat(s.getUsageMessage()).contains("--help"));
    });
  }

  @Test
  void aBadSettingFailsWithTheSettingsName() {
    StringOutput err = new StringOutput();
    CommandLine cl = Main.commandLine();
    cl.setErr(err.writer());
    int code = cl.execute("stats", "-D", "split.eval.fraction=7");
    assertThat(code).isEqualTo(2);
    assertThat(err.text()).contains("split.eval.fraction");
  }

  @Test
  void benchRefusesAnUnknownSectionOrKeysBeforeTouchingABroker() {
    StringOutput err = new StringOutput();
    CommandLine cl = Main.commandLine();
    cl.setErr(err.writer());
    // No broker listens on port 1: a refusal that came after connecting would take the client's timeout, then fail otherwise.
    assertThat(cl.execute("bench", "--only", "throughput,lantecy", "-b", "127.0.0.1:1")).isEqualTo(2);
    assertThat(err.text()).contains("lantecy").contains("growth, latency, micro, throughput, training");
    assertThat(cl.execute("bench", "--keys", "partition", "-b", "127.0.0.1:1")).isEqualTo(2);
    assertThat(err.text()).contains("--keys must be id or none");
  }

  @Test
  void pruneWithKeepZeroIsRefused() {
    StringOutput err = new StringOutput();
    CommandLine cl = Main.commandLine();
    cl.setErr(err.writer());
    assertThat(cl.execute("models", "prune", "--keep", "0")).isEqualTo(1);
    assertThat(err.text()).contains("--keep must be at least 1");
  }

  @Test
  void produceThenConsumeRoundTripsJsonLinesAndCsv(@TempDir Path dir) throws Exception {
    String bootstrap = RealKafka.bootstrap();
    String prefix = "cli-" + System.nanoTime() + ".";
    Path jsonl = dir.resolve("a.jsonl");
    Files.writeString(jsonl, "{\"id\":\"r1\",\"label\":\"x\",\"features\":{\"f\":1.5}}\nnot json at all\n");
    Path csv = dir.resolve("b.csv");
    Files.writeString(csv, "id,f,label\nc1,2.5,y\nc2,\"3,5\",x\n");
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).as("idempotent").isZero();
    assertThat(run("produce", jsonl.toString(), csv.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("consume", "raw", "--value-only", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out.lines()).hasSize(4);
    assertThat(out).contains("\"id\":\"r1\"").contains("\"not json at all\"").contains("{\"id\":\"c1\",\"label\":\"y\",\"features\":{\"f\":2.5}}")
        .contains("\"f\":\"3,5\"");
  }

  @Test
  void consumePrintsTheSyntheticRecordsATrainingRecordCarriesAsLinesOfTheirOwn() throws Exception {
    String bootstrap = RealKafka.bootstrap();
    String prefix = "cli-carry-" + System.nanoTime() + ".";
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();
    dev.streamlearn.avro.ProcessedRecord syn = dev.streamlearn.avro.ProcessedRecord.newBuilder().setId("c1#syn1.0").setTs(1).setLabel("y")
        .setLabelIndex(1).setFeatures(java.util.List.of(0.5)).setSplit(dev.streamlearn.avro.Split.TRAIN).setSynthetic(true)
        .setParents(java.util.List.of("c1", "c0")).setStatsVersion(2).build();
    dev.streamlearn.avro.ProcessedRecord carrier = dev.streamlearn.avro.ProcessedRecord.newBuilder(syn).setId("c1").setLabel("x").setLabelIndex(0)
        .setSynthetic(false).setParents(java.util.List.of()).setSynthetics(java.util.List.of(syn, dev.streamlearn.avro.ProcessedRecord.newBuilder(syn)
            .setId("c1#syn1.1").build())).build();
    var config = dev.streamlearn.core.StreamlearnConfig.of(java.util.Map.of("bootstrap.servers", bootstrap, "topic.prefix", prefix));
    try (var p = new dev.streamlearn.core.KafkaClients(config).producer()) {
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(config.topic(dev.streamlearn.core.TopicName.TRAIN), "c1".getBytes(StandardCharsets.UTF_8),
          dev.streamlearn.schemas.Avro.PROCESSED.encode(carrier))).get();
      // A producer's own JSON with a field of that name is not ours to unpack.
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(config.topic(dev.streamlearn.core.TopicName.RAW), "r".getBytes(StandardCharsets.UTF_8),
          "{\"id\":\"r\",\"synthetics\":[{\"id\":\"q\"}]}".getBytes(StandardCharsets.UTF_8))).get();
    }

    String train = captured(() -> run("consume", "train", "-b", bootstrap, "-D", "topic.prefix=" + prefix));
    List<com.fasterxml.jackson.databind.JsonNode> lines = train.lines().map(l -> {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
    assertThat(lines).extracting(l -> l.get("value").get("id").asText()).containsExactly("c1", "c1#syn1.0", "c1#syn1.1");
    assertThat(lines).extracting(l -> l.get("key").asText()).containsExactly("c1", "c1#syn1.0", "c1#syn1.1");
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.get("offset").asLong()).isEqualTo(lines.get(0).get("offset").asLong());
      assertThat(l.get("value").has("synthetics")).isFalse();
    });
    assertThat(lines.get(1).get("value").get("synthetic").asBoolean()).isTrue();
    assertThat(captured(() -> run("consume", "train", "--value-only", "--limit", "2", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).lines())
        .hasSize(2);
    assertThat(captured(() -> run("consume", "raw", "--value-only", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).strip())
        .isEqualTo("{\"id\":\"r\",\"synthetics\":[{\"id\":\"q\"}]}");
  }

  private static String captured(java.util.function.IntSupplier command) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(command.getAsInt()).isZero();
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static int run(String... args) {
    return Main.commandLine().execute(args);
  }

  static final class StringOutput {
    private final java.io.StringWriter w = new java.io.StringWriter();

    java.io.PrintWriter writer() {
      return new java.io.PrintWriter(w, true);
    }

    String text() {
      return w.toString();
    }
  }

  @Test
  void modelsListShowsWindowAndPrequentialMetrics() {
    dev.streamlearn.avro.ModelSnapshot s = dev.streamlearn.avro.ModelSnapshot.newBuilder().setModel("m").setVersion(3).setParentVersion(2L)
        .setCreatedAt(0).setStatus(dev.streamlearn.avro.SnapshotStatus.HELD).setChunkIndex(0).setChunkCount(1)
        .setChunk(java.nio.ByteBuffer.allocate(0)).setSizeBytes(2048).setSha256("")
        .setSpec(dev.streamlearn.avro.DatasetSpec.newBuilder().setFeatures(java.util.List.of("a")).setLabels(java.util.List.of("x", "y")).build())
        .setOffsets(java.util.Map.of()).setTrainedRecords(12_345).setSyntheticRecords(0).setConfigHash("h")
        .setMetrics(java.util.Map.of("n", 400.0, "roc_auc", 0.91234, "balanced_accuracy", 0.8, "macro_f1", 0.75, "log_loss", 0.3,
            "preq_balanced_accuracy", 0.7654, "preq_log_loss", 0.4321))
        .build();
    String row = ModelsCommand.row(s, true);
    assertThat(row).startsWith(" *       3      2 HELD").contains("12,345").contains("   400   0.9123   0.8000   0.7500    0.3000 |")
        .contains("0.7654").contains("0.4321");
    assertThat(ModelsCommand.LIST_HEADER.indexOf("preq_bal_acc") + "preq_bal_acc".length()).as("columns line up")
        .isEqualTo(row.indexOf("0.7654") + "0.7654".length());
  }
}
