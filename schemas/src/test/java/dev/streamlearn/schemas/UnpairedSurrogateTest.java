package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.LabeledRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A JSON escape can spell a string that is not Unicode text (a lone {@code \\ud800}); such a record
 * is refused as malformed wherever it carries the string on, and every string that is accepted
 * survives the Avro round trip unchanged: two different ids can never be stored as one.
 */
class UnpairedSurrogateTest {

  private final RawEventParser parser = new RawEventParser();

  @Test
  void findsTheFirstUnpairedSurrogate() {
    assertThat(Utf8Check.firstUnpairedSurrogate("plain")).isEqualTo(-1);
    assertThat(Utf8Check.firstUnpairedSurrogate("a\uD83D\uDE00b")).isEqualTo(-1); // a pair: one code point
    assertThat(Utf8Check.firstUnpairedSurrogate("a\uD800")).isEqualTo(1); // high, at the end
    assertThat(Utf8Check.firstUnpairedSurrogate("\uDC00a")).isEqualTo(0); // low, alone
    assertThat(Utf8Check.firstUnpairedSurrogate("\uD800\uD800\uDC00")).isEqualTo(0); // high followed by a pair
    assertThat(Utf8Check.firstUnpairedSurrogate("\uD800\uDC00\uDC00")).isEqualTo(2); // pair, then a low
    assertThat(Utf8Check.firstUnpairedSurrogate("")).isEqualTo(-1);
  }

  @Test
  void refusesItInEveryStringARecordCarriesOn() {
    for (String doc : List.of(
        "{\"id\":\"a\\ud800\",\"label\":\"x\",\"f\":1}",
        "{\"id\":\"a\",\"label\":\"x\\udc00\",\"f\":1}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":{\"f\\ud800\":1}}",
        "{\"id\":\"a\",\"label\":\"x\",\"f\":1,\"note\":\"\\ud800\"}",
        "{\"id\":\"a\",\"label\":\"x\",\"f\":1,\"no\\ud800te\":\"v\"}",
        "{\"id\":\"a\",\"label\":\"x\",\"f\":1,\"metadata\":{\"m\":\"\\udfff\"}}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":{\"f\":\"\\ud800\"}}",
        "{\"id\":\"a\",\"label\":\"x\",\"f\":1,\"note\":{\"k\":[\"\\ud800\"]}}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":{\"f\":1,\"g\":[\"\\udc00\"]}}")) {
      assertThatThrownBy(() -> parser.parse(doc.getBytes(StandardCharsets.UTF_8)), doc).isInstanceOf(MalformedRecordException.class)
          .hasMessageContaining("surrogate"); // in a field name Jackson refuses it itself: "Broken surrogate pair"
    }
  }

  @Test
  void refusesAvroStringsThatAreNotUtf8RatherThanReadThemAsReplacementCharacters() throws Exception {
    byte[] valid = Avro.LABELED.encode(LabeledRecord.newBuilder().setId("id-a~").setTs(0L).setLabel("x").setFeatures(Map.of("f", 1.0))
        .setMetadata(Map.of()).build());
    assertThat(parser.parse(valid).id()).isEqualTo("id-a~");
    int at = new String(valid, StandardCharsets.ISO_8859_1).indexOf("id-a~") + 4;
    for (byte bad : new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xC0, (byte) 0x80}) {
      byte[] b = valid.clone();
      b[at] = bad; // without the check, each of these reads as "id-a\ufffd": one id from four different byte strings
      assertThatThrownBy(() -> parser.parse(b)).isInstanceOf(MalformedRecordException.class).hasMessageContaining("not valid UTF-8");
    }
  }

  @Test
  void acceptsEscapedPairsAndTheirRawUtf8AsTheSameId() throws Exception {
    RawEvent escaped = parser.parse("{\"id\":\"\\ud83d\\ude00\",\"label\":\"x\",\"f\":1}".getBytes(StandardCharsets.UTF_8));
    RawEvent raw = parser.parse("{\"id\":\"\uD83D\uDE00\",\"label\":\"x\",\"f\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(escaped.id()).isEqualTo(raw.id()).isEqualTo("\uD83D\uDE00");
  }

  @Property(tries = 2000)
  void anIdIsRefusedExactlyWhenItIsNotUnicodeAndOtherwiseStoredAsSent(@ForAll("ids") String id) throws Exception {
    byte[] doc = ("{\"id\":\"" + escaped(id) + "\",\"label\":\"x\",\"f\":1}").getBytes(StandardCharsets.UTF_8);
    boolean unicode = id.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
    if (!unicode) {
      assertThatThrownBy(() -> parser.parse(doc)).isInstanceOf(MalformedRecordException.class).hasMessageContaining("id has an unpaired");
      return;
    }
    RawEvent e = parser.parse(doc);
    assertThat(e.id()).isEqualTo(id);
    LabeledRecord stored = Avro.LABELED.decode(Avro.LABELED.encode(LabeledRecord.newBuilder().setId(e.id()).setTs(0L).setLabel("x")
        .setFeatures(Map.of("f", 1.0)).setMetadata(Map.of()).build()));
    assertThat(stored.getId().toString()).as("stored as sent").isEqualTo(id);
  }

  /** Short strings of letters, pairs and lone halves, in any order. */
  @Provide
  Arbitrary<String> ids() {
    Arbitrary<String> piece = Arbitraries.of("a", "?", "\uD83D\uDE00", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\u00e9", "\u20ac");
    return piece.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("", l));
  }

  /** Every char above ASCII as a JSON \\u escape, so the test's own file encoding never alters a lone surrogate. */
  private static String escaped(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x80) {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }
}
