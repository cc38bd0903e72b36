package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The streaming reader means exactly what the tree reading means: same events (map order included), same errors. */
class JsonEventReaderTest {

  private static final String[] NAMES = {"id", "ts", "label", "features", "metadata", "x", "y", "amount"};
  private static final String[] SCALARS = {"1", "-0", "0.5", "-2.50", "1e2", "1E400", "-1e400", "9223372036854775807", "9223372036854775808",
      "123456789012345678901234567890", "NaN", "Infinity", "-Infinity", "null", "true", "false", "\"s\"", "\"\"", "\"a\\u00e9\\n\"", "\"12\"",
      "\"\\ud800\"", "\"\\ud83d\\ude00\"", "\"x\\udc00\""};
  private static final String[] SOUP = {"{", "}", "[", "]", ":", ",", "\"id\"", "\"ts\"", "\"features\"", "\"metadata\"", "\"x\"", "1", "1.5", "NaN",
      "null", "true", "\"v\"", " ", "-", "e", "\"", "\\"};

  private final RawEventParser parser = new RawEventParser();

  @Test
  void handPickedEdgeCasesAgree() {
    for (String doc : List.of(
        "{\"id\":\"a\",\"label\":\"b\",\"features\":{\"f\":1,\"g\":\"x\",\"h\":null,\"i\":[1,{\"j\":2}]},\"z\":3,\"metadata\":{\"m\":null,\"n\":[1],\"o\":1.0}}",
        "{\"features\":null,\"x\":1,\"y\":\"2\"}", "{\"x\":1,\"features\":{\"x\":\"q\"},\"x2\":2.0}", "{\"metadata\":\"flat\",\"metadata2\":{}}",
        "{\"metadata\":5}", "{\"ts\":1.0}", "{\"ts\":\"1\"}", "{\"ts\":{\"a\":1}}", "{\"ts\":9223372036854775808}", "{\"ts\":-5,\"features\":[1]}",
        "{\"features\":[1],\"ts\":1.5}", "{\"id\":{\"a\":1},\"label\":[\"b\"]}", "{\"id\":1e2,\"label\":true}", "{\"id\":-0,\"label\":1.50}",
        "{\"id\":\"a\",\"id\":\"b\"}", "{\"features\":{\"f\":1,\"f\":2}}", "{\"a\":1} trailing", "{\"a\":1", "{\"ts\":1.5,\"a\":", "[1,2", "  ", "\"s\"",
        "{\"x\":1e400,\"y\":-1e400,\"z\":NaN}", "{\"x\":" + "9".repeat(1001) + "}", "[".repeat(70) + "]".repeat(70),
        "{\"a\":" + "{\"b\":".repeat(70) + "1" + "}".repeat(71), "\uFEFF{\"id\":\"bom\"}")) {
      assertAgree(doc);
    }
  }

  @Property(tries = 3000)
  void wellFormedRandomObjectsAgree(@ForAll long seed) {
    Random r = new Random(seed);
    assertAgree(object(r, 0));
  }

  @Property(tries = 3000)
  void tokenSoupAgrees(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("{");
    for (int i = r.nextInt(30); i > 0; i--) {
      sb.append(SOUP[r.nextInt(SOUP.length)]);
    }
    assertAgree(sb.toString());
  }

  private static String object(Random r, int depth) {
    List<String> names = new ArrayList<>(List.of(NAMES));
    java.util.Collections.shuffle(names, r);
    StringBuilder sb = new StringBuilder("{");
    int n = r.nextInt(names.size() + 1);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":").append(value(r, depth));
    }
    return sb.append('}').toString();
  }

  private static String value(Random r, int depth) {
    int k = r.nextInt(10);
    if (depth < 3 && k == 0) {
      return object(r, depth + 1);
    }
    if (depth < 3 && k == 1) {
      return "[" + value(r, depth + 1) + "," + value(r, depth + 1) + "]";
    }
    return SCALARS[r.nextInt(SCALARS.length)];
  }

  private void assertAgree(String doc) {
    byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
    // parse() refuses strings that are not Unicode after either reading: the tree reading gets the same check.
    String tree = outcome(() -> RawEventParser.requireUnicode(RawEventParser.parseTree(bytes)));
    String streamed = outcome(() -> parser.parse(bytes));
    assertThat(streamed).as(doc).isEqualTo(tree);
  }

  interface Read {
    RawEvent get() throws MalformedRecordException;
  }

  /** The event with its maps in order, or the error message. */
  private static String outcome(Read read) {
    try {
      RawEvent e = read.get();
      return "event " + e.id() + " | " + e.ts() + " | " + e.label() + " | " + new ArrayList<>(e.features().entrySet()) + " | "
          + new ArrayList<>(e.metadata().entrySet());
    } catch (MalformedRecordException ex) {
      return "malformed: " + ex.getMessage();
    }
  }
}
