package dev.streamlearn.streams.hostile;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.KnownSchemas;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The hostile-input corpus: records built to crash, exhaust or corrupt the clean stage, each with
 * the outcome it must have for the spec features f0,f1 and labels a,b ({@code CLEAN}, a DLQ reason,
 * or {@code *} for seeded random inputs whose reason is not the point). Generated, never
 * hand-edited: {@code HostileCorpusTest} fails when the committed files under
 * {@code src/test/resources/hostile-corpus} differ from {@link #generate()}, and
 * {@link #main(String[])} rewrites them. One file per record, so any producer (kcat sends a file as
 * one message) can send them exactly.
 */
public final class HostileCorpus {

  public static final Path DIR = Path.of("src", "test", "resources", "hostile-corpus");
  public static final String EXPECTED_FILE = "expected.tsv";
  /** Event times of the valid entries are left out, so the Kafka timestamp stands in and none is BAD_TIMESTAMP. */
  public static final String FEATURES = "f0,f1";
  public static final String LABELS = "a,b";

  /** One corpus entry. */
  public record Entry(String name, byte[] bytes, String expected) {}

  private HostileCorpus() {}

  public static Map<String, Entry> generate() {
    Map<String, Entry> out = new LinkedHashMap<>();
    // --- the valid baseline: clean records (and later a duplicate of one of them)
    add(out, "valid-json", utf8(json("corpus-v1", "a", "1.5", "2.5")), "CLEAN");
    add(out, "valid-json-flat", utf8("{\"id\":\"corpus-v2\",\"label\":\"b\",\"f0\":-3,\"f1\":4e2}"), "CLEAN");
    add(out, "valid-avro", Avro.LABELED.encode(record("corpus-v3", "a", 0.25, -0.75)), "CLEAN");
    add(out, "valid-json-crlf", utf8(json("corpus-v4", "b", "7", "8") + "\r"), "CLEAN");
    add(out, "valid-huge-but-allowed", utf8(json("corpus-v5", "a", "1e15", "-1e15")), "CLEAN");
    add(out, "valid-tiny", utf8(json("corpus-v6", "b", "4.9e-324", "-1e-300")), "CLEAN");
    // --- Avro built to allocate
    add(out, "avro-string-length-2^31", avro(zigzag(2_147_483_000L)), "MALFORMED");
    add(out, "avro-string-length-long-max", avro(zigzag(Long.MAX_VALUE)), "MALFORMED");
    add(out, "avro-negative-length", avro(zigzag(-5)), "MALFORMED");
    add(out, "avro-map-count-10^8", avro(cat(zigzag(1), utf8("a"), zigzag(1), zigzag(1), utf8("x"), zigzag(100_000_000L))), "MALFORMED");
    add(out, "avro-negative-block-count", avro(cat(zigzag(1), utf8("a"), zigzag(1), zigzag(1), utf8("x"), zigzag(-3), zigzag(1L << 40))), "MALFORMED");
    add(out, "avro-varint-11-bytes", avro(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}), "MALFORMED");
    add(out, "avro-header-only", avro(new byte[0]), "MALFORMED");
    add(out, "avro-magic-only", new byte[] {(byte) 0xC3, 0x01}, "MALFORMED");
    byte[] valid = Avro.LABELED.encode(record("corpus-t", "a", 1, 2));
    add(out, "avro-unknown-fingerprint", flip(valid, 5), "MALFORMED");
    add(out, "avro-trailing-bytes", Arrays.copyOf(valid, valid.length + 4), "MALFORMED");
    add(out, "avro-other-type", Avro.REJECTED.encode(RejectedRecord.newBuilder().setOriginal(ByteBuffer.wrap(new byte[3]))
        .setReason("X").setMessage("m").setSourceTopic("t").setSourcePartition(0).setSourceOffset(0).setRejectedAt(0).build()), "MALFORMED");
    for (int cut : new int[] {10, 11, 13, valid.length / 2, valid.length - 1}) {
      add(out, "avro-truncated-at-" + cut, Arrays.copyOf(valid, cut), "MALFORMED");
    }
    // --- bytes that are not text
    add(out, "empty", new byte[0], "MALFORMED");
    add(out, "nul-bytes", new byte[] {0, 0, '{', 0, '}', 0}, "MALFORMED");
    add(out, "invalid-utf8-in-string", cat(utf8("{\"id\":\""), new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80}, utf8("\",\"label\":\"a\"}")), "MALFORMED");
    add(out, "overlong-utf8", cat(utf8("{\"id\":\"x\",\"label\":\""), new byte[] {(byte) 0xc0, (byte) 0xaf}, utf8("\"}")), "MALFORMED");
    add(out, "utf16-json", json("corpus-u16", "a", "1", "2").getBytes(StandardCharsets.UTF_16), "*");
    add(out, "bom-json", cat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8(json("corpus-bom", "a", "1", "2"))), "*");
    // --- JSON that is valid text but not a record
    add(out, "json-array", utf8("[1,2,3]"), "MALFORMED");
    add(out, "json-string", utf8("\"just a string\""), "MALFORMED");
    add(out, "json-null", utf8("null"), "MALFORMED");
    add(out, "json-duplicate-key", utf8("{\"id\":\"d\",\"id\":\"e\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "MALFORMED");
    add(out, "json-features-not-object", utf8("{\"id\":\"corpus-fno\",\"label\":\"a\",\"features\":[1,2]}"), "MALFORMED");
    add(out, "json-unterminated", utf8("{\"id\":\"corpus-unt\",\"label\":\"a\",\"features\":{\"f0\":1"), "MALFORMED");
    add(out, "json-deep-arrays", utf8("{\"id\":\"deep\",\"label\":\"a\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), "MALFORMED");
    add(out, "json-deep-objects", utf8("{\"id\":\"deep2\",\"label\":\"a\",\"metadata\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3000) + "}"), "MALFORMED");
    // --- numbers built to overflow
    add(out, "feature-1e308", utf8(json("corpus-n1", "a", "1e308", "1")), "OUT_OF_RANGE");
    add(out, "feature-minus-1e308", utf8(json("corpus-n2", "a", "-1.7976931348623157e308", "1")), "OUT_OF_RANGE");
    add(out, "feature-1e16", utf8(json("corpus-n3", "a", "1", "1e16")), "OUT_OF_RANGE");
    add(out, "feature-1e400", utf8(json("corpus-n4", "a", "1e400", "1")), "NON_FINITE_FEATURE");
    add(out, "feature-nan", utf8(json("corpus-n5", "a", "NaN", "1")), "NON_FINITE_FEATURE");
    add(out, "feature-infinity", utf8(json("corpus-n6", "a", "-Infinity", "1")), "NON_FINITE_FEATURE");
    add(out, "feature-2000-digits", utf8(json("corpus-n7", "a", "9".repeat(2000), "1")), "MALFORMED");
    add(out, "avro-feature-1e308", Avro.LABELED.encode(record("corpus-n8", "b", 1e308, 1)), "OUT_OF_RANGE");
    add(out, "avro-feature-nan", Avro.LABELED.encode(record("corpus-n9", "b", Double.NaN, 1)), "NON_FINITE_FEATURE");
    // --- event times built to break dedup
    add(out, "ts-year-9999", utf8("{\"id\":\"corpus-ts1\",\"ts\":253370764800000,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "BAD_TIMESTAMP");
    add(out, "ts-long-max", utf8("{\"id\":\"corpus-ts2\",\"ts\":9223372036854775807,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "BAD_TIMESTAMP");
    add(out, "ts-negative", utf8("{\"id\":\"corpus-ts3\",\"ts\":-1,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "BAD_TIMESTAMP");
    add(out, "ts-beyond-long", utf8("{\"id\":\"corpus-ts4\",\"ts\":1e30,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "MALFORMED");
    add(out, "avro-ts-year-9999", Avro.LABELED.encode(LabeledRecord.newBuilder(record("corpus-ts5", "a", 1, 2)).setTs(253_370_764_800_000L).build()), "BAD_TIMESTAMP");
    // --- long strings and many fields
    add(out, "long-id", utf8(json("corpus-" + "i".repeat(60_000), "a", "1", "2")), "CLEAN");
    add(out, "long-label", utf8(json("corpus-ll", "l".repeat(60_000), "1", "2")), "UNKNOWN_LABEL");
    add(out, "oversize", utf8(json("corpus-big", "a", "1", "2").replace("}}", "},\"note\":\"" + "z".repeat(150_000) + "\"}")), "OVERSIZE");
    StringBuilder many = new StringBuilder("{\"id\":\"corpus-many\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2");
    for (int i = 0; i < 5000; i++) {
      many.append(",\"g").append(i).append("\":").append(i);
    }
    add(out, "many-features", utf8(many.append("}}").toString()), "EXTRA_FEATURE");
    // --- strings that are not Unicode: a JSON escape can spell half a surrogate pair, which has no UTF-8 form
    add(out, "json-id-lone-surrogate", utf8(json("corpus-s1\\ud800", "a", "1", "2")), "MALFORMED");
    add(out, "json-metadata-lone-surrogate", utf8(json("corpus-s2", "a", "1", "2").replace("}}", "},\"note\":\"\\udc00\"}")), "MALFORMED");
    add(out, "json-id-escaped-pair", utf8(json("corpus-s3\\ud83d\\ude00", "a", "1", "2")), "CLEAN");
    add(out, "missing-id", utf8("{\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"), "MISSING_ID");
    // --- seeded random and mutated inputs
    SplittableRandom rnd = new SplittableRandom(20261129L);
    for (int i = 0; i < 12; i++) {
      byte[] b = new byte[1 + rnd.nextInt(300)];
      rnd.nextBytes(b);
      add(out, "random-" + i, b, "*");
    }
    for (int i = 0; i < 12; i++) {
      byte[] body = new byte[rnd.nextInt(64)];
      rnd.nextBytes(body);
      add(out, "random-avro-body-" + i, avro(body), "*");
    }
    for (int i = 0; i < 12; i++) {
      add(out, "mutated-avro-" + i, mutate(Avro.LABELED.encode(record("corpus-ma" + i, i % 2 == 0 ? "a" : "b", i, -i)), rnd), "*");
    }
    for (int i = 0; i < 12; i++) {
      add(out, "mutated-json-" + i, mutate(utf8(json("corpus-mj" + i, i % 2 == 0 ? "a" : "b", String.valueOf(i), "3")), rnd), "*");
    }
    // --- last: a duplicate of a valid record, sent after everything hostile, must still be caught
    add(out, "zz-duplicate-of-valid-json", utf8(json("corpus-v1", "a", "1.5", "2.5")), "DUPLICATE");
    return out;
  }

  /** Rewrites the committed corpus from {@link #generate()}; run from the streams-app directory. */
  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : DIR;
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.toString().endsWith(".bin")).toList()) {
        Files.delete(p); // entries that are no longer generated; .gitattributes stays
      }
    }
    StringBuilder expected = new StringBuilder();
    for (Entry e : generate().values()) {
      Files.write(dir.resolve(e.name() + ".bin"), e.bytes());
      expected.append(e.name()).append('\t').append(e.expected()).append('\n');
    }
    Files.writeString(dir.resolve(EXPECTED_FILE), expected.toString());
  }

  /** The committed corpus, in generation order (the duplicate comes last), as listed in expected.tsv. */
  public static Map<String, Entry> load(Path dir) throws IOException {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve(EXPECTED_FILE))) {
      String[] f = line.split("\t");
      out.put(f[0], new Entry(f[0], Files.readAllBytes(dir.resolve(f[0] + ".bin")), f[1]));
    }
    return out;
  }

  private static void add(Map<String, Entry> out, String name, byte[] bytes, String expected) {
    if (out.put(name, new Entry(name, bytes, expected)) != null) {
      throw new IllegalStateException("duplicate corpus name " + name);
    }
  }

  /** One to four random byte flips, a truncation, or an inserted run. */
  static byte[] mutate(byte[] in, SplittableRandom rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(3)) {
      case 0 -> {
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        return b;
      }
      case 1 -> {
        return Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      default -> {
        int at = rnd.nextInt(b.length + 1);
        byte[] run = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(run);
        return cat(Arrays.copyOf(b, at), run, Arrays.copyOfRange(b, at, b.length));
      }
    }
  }

  static LabeledRecord record(String id, String label, double f0, double f1) {
    Map<String, Double> features = new LinkedHashMap<>();
    features.put("f0", f0);
    features.put("f1", f1);
    return LabeledRecord.newBuilder().setId(id).setTs(1000L).setLabel(label).setFeatures(features).build();
  }

  static String json(String id, String label, String f0, String f1) {
    return "{\"id\":\"" + id + "\",\"label\":\"" + label + "\",\"features\":{\"f0\":" + f0 + ",\"f1\":" + f1 + "}}";
  }

  /** C3 01, LabeledRecord's fingerprint, then {@code body}. */
  static byte[] avro(byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema())).put(body);
    return b.array();
  }

  static byte[] zigzag(long v) {
    long z = (v << 1) ^ (v >> 63);
    ByteBuffer out = ByteBuffer.allocate(10);
    while ((z & ~0x7FL) != 0) {
      out.put((byte) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.put((byte) z);
    return Arrays.copyOf(out.array(), out.position());
  }

  static byte[] flip(byte[] in, int at) {
    byte[] b = in.clone();
    b[at] ^= 0x5a;
    return b;
  }

  static byte[] cat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
