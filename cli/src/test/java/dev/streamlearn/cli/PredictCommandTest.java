package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.client.TestModels;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'predict' through the shared EventScorer: one answer per line, in order, errors named, exit 3 when a line had one. */
class PredictCommandTest {

  @Test
  void scoresEveryLineAndNamesTheBadOnes(@TempDir Path dir) throws Exception {
    StreamlearnConfig config = RealKafka.config("predict", Map.of("snapshot.signing.key", TestModels.KEY));
    TestModels models = new TestModels(config, "m");
    models.snapshot(1);
    models.point(1, "first");
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, String.join("\n", "{\"id\":\"a\",\"label\":\"fraud\",\"amount\":1,\"hour\":2}", "", "garbage",
        "{\"id\":\"b\",\"features\":{\"amount\":1}}", "{\"id\":\"c\",\"amount\":3,\"hour\":-1}") + "\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = predict(config, in, buf);
    assertThat(code).isEqualTo(3);
    List<JsonNode> lines = answers(buf);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0).get("version").asLong()).isEqualTo(1);
    assertThat(lines.get(0).get("actual").asText()).isEqualTo("fraud");
    assertThat(lines.get(1).get("line").asLong()).isEqualTo(3);
    assertThat(lines.get(1).get("error").asText()).startsWith("not a record");
    assertThat(lines.get(2).get("id").asText()).isEqualTo("b");
    assertThat(lines.get(2).get("error").asText()).contains("missing feature 'hour'");
    assertThat(lines.get(3).get("id").asText()).isEqualTo("c");
    assertThat(lines.get(3).get("probabilities").size()).isEqualTo(2);
  }

  @Test
  void readsACsvAsProduceReadsIt(@TempDir Path dir) throws Exception {
    StreamlearnConfig config = RealKafka.config("predict-csv", Map.of("snapshot.signing.key", TestModels.KEY));
    TestModels models = new TestModels(config, "m");
    models.snapshot(1);
    models.point(1, "first");
    Path in = dir.resolve("in.csv");
    // As Excel's CSV UTF-8 writes it: a byte order mark, CRLF; R's NA; no label column; a quoted value over two lines.
    Files.writeString(in, "\uFEFFId,amount,hour,note\r\n" + "a,1,2,x\r\n" + "b,1,NA,y\r\n" + "\r\n" + "c,3,-1,\"two\r\nlines\"\r\n"
        + "d,1,2,z,extra\r\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertThat(predict(config, in, buf)).isEqualTo(3);
    List<JsonNode> lines = answers(buf);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0).get("id").asText()).isEqualTo("a");
    assertThat(lines.get(0).get("probabilities").size()).isEqualTo(2);
    assertThat(lines.get(0).has("actual")).isFalse();
    assertThat(lines.get(1).get("id").asText()).isEqualTo("b");
    assertThat(lines.get(1).get("error").asText()).contains("missing feature 'hour'");
    assertThat(lines.get(2).get("id").asText()).isEqualTo("c");
    assertThat(lines.get(2).get("version").asLong()).isEqualTo(1);
    assertThat(lines.get(3).get("line").asLong()).as("the file's line of the row with a cell too many").isEqualTo(7);
    assertThat(lines.get(3).get("error").asText()).isEqualTo("CSV row: 5 cells where the header has 4");
  }

  private static int predict(StreamlearnConfig config, Path in, ByteArrayOutputStream buf) {
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return Main.commandLine().execute("predict", in.toString(), "-m", "m", "-b", config.getString(StreamlearnConfig.BOOTSTRAP),
          "-D", "topic.prefix=" + config.getString(StreamlearnConfig.TOPIC_PREFIX), "-D", "snapshot.signing.key=" + TestModels.KEY);
    } finally {
      System.setOut(old);
    }
  }

  private static List<JsonNode> answers(ByteArrayOutputStream buf) {
    ObjectMapper json = new ObjectMapper();
    return buf.toString(StandardCharsets.UTF_8).lines().map(l -> {
      try {
        return json.readTree(l);
      } catch (Exception e) {
        throw new AssertionError(l, e);
      }
    }).toList();
  }
}
