package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.RealKafka;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'produce' sends a file's lines as bytes: whatever a line holds, it reaches records.raw unchanged. */
class ProduceBytesTest {

  @Test
  void everyJsonLineReachesRecordsRawByteForByte(@TempDir Path dir) throws Exception {
    List<byte[]> lines = List.of(
        utf8("{\"id\":\"ok1\",\"label\":\"x\",\"features\":{\"f\":1.5}}"),
        new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0x80, '"', '}'}, // invalid UTF-8
        new byte[] {0, 0, '{', 0, '}', 0}, // NUL bytes
        new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // Avro-looking garbage
        new byte[0], // an empty line
        utf8("{\"id\":\"crlf\",\"label\":\"x\",\"features\":{\"f\":2}}\r"), // a Windows line end stays part of the line
        utf8("{\"id\":\"huge\",\"note\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}"),
        utf8("{\"id\":\"last-without-newline\",\"label\":\"y\",\"features\":{\"f\":3}}"));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      file.write(lines.get(i));
      if (i < lines.size() - 1) {
        file.write('\n');
      }
    }
    Path jsonl = dir.resolve("dirty.jsonl");
    Files.write(jsonl, file.toByteArray());

    String bootstrap = RealKafka.bootstrap();
    String prefix = "bytes-" + System.nanoTime() + ".";
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix, "-D", "topic.partitions=1")).isZero();
    assertThat(run("produce", jsonl.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    assertThat(hex(readAll(bootstrap, prefix + "records.raw", lines.size()))).containsExactlyElementsOf(hex(lines));
  }

  @Test
  void aCsvRowThatIsNotUtf8IsSentAsItsBytesAndTheRestStillGoes(@TempDir Path dir) throws Exception {
    byte[] bad = {'c', '2', ',', (byte) 0xff, (byte) 0xc0, ',', 'x'};
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(utf8("id,f,label\nc1,2.5,y\n"));
    file.write(bad);
    file.write(utf8("\nc3,4,x\n"));
    Path csv = dir.resolve("dirty.csv");
    Files.write(csv, file.toByteArray());

    String bootstrap = RealKafka.bootstrap();
    String prefix = "csvbytes-" + System.nanoTime() + ".";
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix, "-D", "topic.partitions=1")).isZero();
    assertThat(run("produce", csv.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    List<byte[]> got = readAll(bootstrap, prefix + "records.raw", 3);
    assertThat(new String(got.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"c1\",\"label\":\"y\",\"features\":{\"f\":2.5}}");
    assertThat(got.get(1)).isEqualTo(bad);
    assertThat(new String(got.get(2), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"c3\",\"label\":\"x\",\"features\":{\"f\":4.0}}");
  }

  @Test
  void aCsvAsExcelAndRWriteItArrivesCellForCellAndItsBrokenRowsAsTheirBytes(@TempDir Path dir) throws Exception {
    // A byte order mark, Windows line ends, an 'Id' column, a quoted field over two lines, missing-value markers,
    // a row with a cell too many, an unclosed quote, and a last row without its line end.
    String text = "\uFEFFId,x,note,Label\r\n"
        + "a1,1.5,\"two\r\nlines\",yes\r\n"
        + "a2,NA,plain,no\r\n"
        + "a3,1,2,3,extra\r\n"
        + "a4,\"unclosed,1,x\r\n"
        + "a5,?,ok,yes";
    Path csv = dir.resolve("excel.csv");
    Files.writeString(csv, text);

    String bootstrap = RealKafka.bootstrap();
    String prefix = "csvexcel-" + System.nanoTime() + ".";
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix, "-D", "topic.partitions=1")).isZero();
    assertThat(run("produce", csv.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    List<byte[]> got = readAll(bootstrap, prefix + "records.raw", 5);
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(got).hasSize(5);
    var a1 = json.readTree(got.get(0));
    assertThat(a1.get("id").asText()).isEqualTo("a1");
    assertThat(a1.get("label").asText()).isEqualTo("yes");
    assertThat(a1.get("features").get("x").asDouble()).isEqualTo(1.5);
    assertThat(a1.get("features").get("note").asText()).isEqualTo("two\r\nlines");
    var a2 = json.readTree(got.get(1));
    assertThat(a2.get("features").has("x")).isFalse();
    assertThat(a2.get("id").asText()).isEqualTo("a2");
    assertThat(new String(got.get(2), StandardCharsets.UTF_8)).isEqualTo("a3,1,2,3,extra\r");
    assertThat(new String(got.get(3), StandardCharsets.UTF_8)).isEqualTo("a4,\"unclosed,1,x\r");
    var a5 = json.readTree(got.get(4));
    assertThat(a5.get("id").asText()).isEqualTo("a5");
    assertThat(a5.get("features").has("x")).isFalse();
    assertThat(a5.get("label").asText()).isEqualTo("yes");
  }

  @Test
  void withoutAnIdColumnEveryRowIsItsFirstLinesNumberWhateverItsQuotesDo(@TempDir Path dir) throws Exception {
    // Row 2 spans two lines; line 4 opens a quote that closes only on line 5, making a row with cells beyond the header, so line 4 is
    // sent alone as a bad row and line 5 read again as a row of its own; row 6 is blank, row 7 is the last.
    String text = "x,note,label\n"
        + "1,plain,a\n"
        + "2,\"two\nlines\",b\n"
        + "3,\"never closed,c\n"
        + "4,x\",more,cells,d\n"
        + "\n"
        + "5,ok,e\n";
    Path csv = dir.resolve("noid.csv");
    Files.writeString(csv, text);

    String bootstrap = RealKafka.bootstrap();
    String prefix = "csvrows-" + System.nanoTime() + ".";
    assertThat(run("topics", "create", "-b", bootstrap, "-D", "topic.prefix=" + prefix, "-D", "topic.partitions=1")).isZero();
    assertThat(run("produce", csv.toString(), "-b", bootstrap, "-D", "topic.prefix=" + prefix)).isZero();

    List<String> got = readAll(bootstrap, prefix + "records.raw", 5).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    assertThat(got).hasSize(5);
    assertThat(got.get(0)).contains("\"id\":\"noid.csv:1\"");
    assertThat(got.get(1)).contains("\"id\":\"noid.csv:2\"", "two\\nlines");
    assertThat(got.get(2)).isEqualTo("3,\"never closed,c");
    assertThat(got.get(3)).isEqualTo("4,x\",more,cells,d");
    assertThat(got.get(4)).contains("\"id\":\"noid.csv:7\"", "\"label\":\"e\"");
  }

  @Test
  void byteLinesSplitsOnNewlineOnly() throws Exception {
    assertThat(hex(lines(new byte[] {}))).isEmpty();
    assertThat(hex(lines(utf8("\n")))).containsExactly("");
    assertThat(hex(lines(utf8("a\n\nb")))).containsExactly(hex(utf8("a")), "", hex(utf8("b")));
    assertThat(hex(lines(new byte[] {'a', '\r', '\n', 0, '\n'}))).containsExactly(hex(new byte[] {'a', '\r'}), "00");
    byte[] big = new byte[200_000];
    Arrays.fill(big, (byte) 0x80);
    assertThat(hex(lines(big))).containsExactly(hex(big));
    assertThat(ByteLines.count(new java.io.ByteArrayInputStream(utf8("a\n\nb")))).isEqualTo(3);
    assertThat(ByteLines.count(new java.io.ByteArrayInputStream(utf8("a\n")))).isEqualTo(1);
  }

  private static List<byte[]> lines(byte[] content) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (ByteLines in = new ByteLines(new java.io.ByteArrayInputStream(content))) {
      byte[] l;
      while ((l = in.next()) != null) {
        out.add(l);
      }
    }
    return out;
  }

  private static List<byte[]> readAll(String bootstrap, String topic, int expected) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
    List<byte[]> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
      c.poll(Duration.ofMillis(300)).forEach(r -> out.add(r.value())); // nothing more may follow
    }
    return out;
  }

  private static List<String> hex(List<byte[]> values) {
    return values.stream().map(ProduceBytesTest::hex).toList();
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int run(String... args) {
    return Main.commandLine().execute(args);
  }
}
