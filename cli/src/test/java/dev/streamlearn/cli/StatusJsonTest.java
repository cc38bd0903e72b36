package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.core.RealKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'status --json' against a real broker: its keys, and its exit code telling caught up (0) from lagging (5). */
class StatusJsonTest {

  @Test
  void jsonStatusAndExitCodes(@TempDir Path dir) throws Exception {
    String bootstrap = RealKafka.bootstrap();
    String prefix = "status-" + System.nanoTime() + ".";
    assertThat(Main.commandLine().execute("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    Result idle = status(bootstrap, prefix);
    assertThat(idle.code()).as("nothing to do: caught up").isZero();
    assertThat(idle.json().fieldNames()).toIterable().containsExactly("cluster", "streams", "updater", "counts", "model", "caught_up");
    assertThat(idle.json().get("cluster").get("brokers").asInt()).isEqualTo(1);
    assertThat(idle.json().get("streams").get("lag").asLong()).isZero();
    assertThat(idle.json().get("updater").get("running").asBoolean()).isFalse();
    assertThat(idle.json().get("model").isNull()).isTrue();
    assertThat(idle.json().get("caught_up").asBoolean()).isTrue();

    Path events = dir.resolve("e.jsonl");
    Files.writeString(events, "{\"id\":\"r1\",\"label\":\"x\",\"features\":{\"f\":1.5}}\n{\"id\":\"r2\",\"label\":\"y\",\"features\":{\"f\":2.5}}\n");
    assertThat(Main.commandLine().execute("produce", events.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();
    Result lagging = status(bootstrap, prefix);
    assertThat(lagging.code()).as("no streams app has read records.raw").isEqualTo(5);
    assertThat(lagging.json().get("streams").get("lag").asLong()).isEqualTo(2);
    assertThat(lagging.json().get("caught_up").asBoolean()).isFalse();

    assertThat(Main.commandLine().execute("status", "--json", "-b", "127.0.0.1:1", "-D", "topic.prefix=" + prefix,
        "-D", "kafka.admin.default.api.timeout.ms=3000", "-D", "kafka.admin.request.timeout.ms=2000")).as("no cluster").isEqualTo(1);
  }

  private record Result(int code, JsonNode json) {}

  private static Result status(String bootstrap, String prefix) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.commandLine().execute("status", "--json", "-b", bootstrap, "-D", "topic.prefix=" + prefix);
    } finally {
      System.setOut(old);
    }
    return new Result(code, new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8)));
  }
}
