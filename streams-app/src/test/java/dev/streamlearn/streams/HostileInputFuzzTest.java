package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.KnownSchemas;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEventParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Fuzzing the two places untrusted bytes enter: the raw decoding (no exception but the declared
 * one escapes, nothing allocates beyond the input) and the whole clean stage under a
 * TopologyTestDriver (every input ends as exactly one of clean, duplicate or DLQ, so the counts
 * reconcile after every try, and the normalizer stays finite). Inputs: random bytes, Avro headers
 * with random bodies, mutated valid Avro and JSON, deep nesting, huge numbers, long strings and
 * invalid UTF-8.
 */
class HostileInputFuzzTest {

  private static final AtomicLong DECODED = new AtomicLong();
  private static final AtomicLong CLEANED = new AtomicLong();
  private static TopologyFixture fixture;

  @BeforeContainer
  static void open() throws Exception {
    fixture = new TopologyFixture(Map.of(), List.of("f0", "f1"), List.of("a", "b"));
  }

  @AfterContainer
  static void close() {
    fixture.close();
    System.out.printf("fuzz: %,d inputs through the raw decoding, %,d through the clean stage%n", DECODED.get(), CLEANED.get());
  }

  @Property(tries = 20_000)
  void theRawDecodingThrowsNothingButItsDeclaredException(@ForAll("hostile") byte[] input) {
    DECODED.incrementAndGet();
    try {
      new RawEventParser().parse(input);
    } catch (MalformedRecordException expected) {
      assertThat(expected.getMessage()).isNotNull();
    }
    if (input.length >= 10) {
      try {
        Avro.LABELED.decode(input);
      } catch (SerializationException expected) {
        assertThat(expected.getMessage()).isNotNull();
      }
    }
  }

  @Property(tries = 1_500)
  void everyInputEndsAsExactlyOneOfCleanDuplicateOrDlq(@ForAll @Size(min = 1, max = 8) List<@From("hostile") byte[]> inputs) {
    PipelineReport before = report();
    for (byte[] in : inputs) {
      fixture.sendBytes(in); // a processing exception would escape here and fail the try
    }
    CLEANED.addAndGet(inputs.size());
    int clean = fixture.clean.readValuesToList().size();
    List<RejectedRecord> dlq = fixture.dlq.readValuesToList();
    PipelineReport after = report();

    assertThat(after.raw() - before.raw()).isEqualTo(inputs.size());
    assertThat(after.clean() - before.clean()).isEqualTo(clean);
    assertThat(after.dlqTotal() - before.dlqTotal()).isEqualTo(dlq.size());
    assertThat(clean + (after.duplicates() - before.duplicates()) + dlq.size()).isEqualTo(inputs.size());
    assertThat(after.reconciles()).isTrue();
    for (int i = 0; i < 2; i++) {
      assertThat(after.normalizer().mean(i)).isFinite();
      assertThat(after.normalizer().variance(i)).isFinite();
    }
  }

  /** Every partition's latest report so far: a reporter publishes only when its figures changed. */
  private static final Map<String, NormalizerStats> LATEST = new java.util.HashMap<>();

  private static PipelineReport report() {
    fixture.driver.advanceWallClockTime(java.time.Duration.ofMillis(fixture.config.getLong(StreamlearnConfig.STATS_PUBLISH_MS) + 1));
    fixture.stats.readKeyValuesToList().forEach(kv -> LATEST.put(kv.key, kv.value));
    return PipelineReport.merge(LATEST.values(), fixture.spec);
  }

  @Provide
  Arbitrary<byte[]> hostile() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, randomBytes()),
        net.jqwik.api.Tuple.of(3, avroHeaderAndRandomBody()),
        net.jqwik.api.Tuple.of(4, validAvro().flatMap(HostileInputFuzzTest::mutated)),
        net.jqwik.api.Tuple.of(4, validJson().flatMap(HostileInputFuzzTest::mutated)),
        net.jqwik.api.Tuple.of(2, validAvro()),
        net.jqwik.api.Tuple.of(3, validJson()),
        net.jqwik.api.Tuple.of(1, deepNesting()),
        net.jqwik.api.Tuple.of(2, hugeNumbers()),
        net.jqwik.api.Tuple.of(1, longStrings()),
        net.jqwik.api.Tuple.of(2, validJson().flatMap(HostileInputFuzzTest::withInvalidUtf8)));
  }

  private static Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
  }

  private static Arbitrary<byte[]> avroHeaderAndRandomBody() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(body -> {
      ByteBuffer b = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
      b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema())).put(body);
      return b.array();
    });
  }

  private static Arbitrary<String> ids() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6);
  }

  private static Arbitrary<Double> values() {
    return Arbitraries.oneOf(Arbitraries.doubles().between(-1e6, 1e6),
        Arbitraries.of(1e308, -1e308, 1e15, 1e16, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 0.0));
  }

  private static Arbitrary<Long> times() {
    return Arbitraries.oneOf(Arbitraries.longs().between(0, 10_000_000), Arbitraries.of(-1L, 253_370_764_800_000L, Long.MAX_VALUE, Long.MIN_VALUE));
  }

  private static Arbitrary<byte[]> validAvro() {
    return Combinators.combine(ids(), Arbitraries.of("a", "b", "zebra"), values(), values(), times()).as((id, label, f0, f1, ts) ->
        Avro.LABELED.encode(LabeledRecord.newBuilder().setId(id).setTs(ts).setLabel(label)
            .setFeatures(new java.util.TreeMap<>(Map.of("f0", f0, "f1", f1))).build()));
  }

  private static Arbitrary<byte[]> validJson() {
    return Combinators.combine(ids(), Arbitraries.of("a", "b", "zebra"), values(), values(), times(), Arbitraries.of(true, false))
        .as((id, label, f0, f1, ts, withTs) -> ("{\"id\":\"" + id + "\"," + (withTs ? "\"ts\":" + ts + "," : "") + "\"label\":\"" + label
            + "\",\"features\":{\"f0\":" + f0 + ",\"f1\":" + f1 + "}}").getBytes(StandardCharsets.UTF_8));
  }

  private static Arbitrary<byte[]> mutated(byte[] valid) {
    Arbitrary<Integer> at = Arbitraries.integers().between(0, valid.length - 1);
    return Arbitraries.oneOf(
        Combinators.combine(at, Arbitraries.bytes()).as((i, x) -> {
          byte[] b = valid.clone();
          b[i] ^= (byte) (x == 0 ? 1 : x);
          return b;
        }),
        at.map(i -> Arrays.copyOf(valid, i)),
        Combinators.combine(at, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16)).as((i, run) -> {
          byte[] b = new byte[valid.length + run.length];
          System.arraycopy(valid, 0, b, 0, i);
          System.arraycopy(run, 0, b, i, run.length);
          System.arraycopy(valid, i, b, i + run.length, valid.length - i);
          return b;
        }));
  }

  private static Arbitrary<byte[]> deepNesting() {
    return Combinators.combine(Arbitraries.integers().between(1, 20_000), Arbitraries.of("[", "{\"a\":")).as((depth, open) -> {
      String close = open.equals("[") ? "]" : "}";
      return ("{\"id\":\"deep\",\"label\":\"a\",\"x\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
    });
  }

  private static Arbitrary<byte[]> hugeNumbers() {
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.integers().between(-400, 400).map(e -> "1e" + e),
        Arbitraries.integers().between(1, 3000).map(n -> "9".repeat(n)),
        Arbitraries.integers().between(1, 3000).map(n -> "0." + "0".repeat(n) + "1"));
    return Combinators.combine(number, Arbitraries.of("f0", "f1", "ts")).as((n, field) ->
        ("{\"id\":\"num\",\"label\":\"a\",\"" + (field.equals("ts") ? "ts\":" + n + ",\"features\":{\"f0\":1,\"f1\":2}}"
            : "features\":{\"f0\":1,\"f1\":2,\"" + field + "\":" + n + "}}")).getBytes(StandardCharsets.UTF_8));
  }

  private static Arbitrary<byte[]> longStrings() {
    return Combinators.combine(Arbitraries.integers().between(1, 150_000), Arbitraries.of("id", "label", "note")).as((n, field) ->
        ("{\"id\":\"long\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2},\"" + field + "\":\"" + "x".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static Arbitrary<byte[]> withInvalidUtf8(byte[] valid) {
    Arbitrary<byte[]> bad = Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {0});
    return Combinators.combine(Arbitraries.integers().between(0, valid.length), bad).as((i, b) -> {
      byte[] out = new byte[valid.length + b.length];
      System.arraycopy(valid, 0, out, 0, i);
      System.arraycopy(b, 0, out, i, b.length);
      System.arraycopy(valid, i, out, i + b.length, valid.length - i);
      return out;
    });
  }
}
