package dev.streamlearn.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro class, in Avro's single-object encoding: two magic bytes,
 * the writer schema's 64-bit fingerprint, then the binary body. The fingerprint lets a reader find
 * the writer's schema in {@link KnownSchemas} and resolve it against its own, so no registry
 * service is needed.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  static {
    AvroBounds.installLimits(); // before any Avro decoder reads its limits
  }

  /** Two magic bytes and the 8-byte fingerprint. */
  private static final int HEADER_BYTES = 10;

  private final Class<T> type;
  private final byte[] header;
  private final SpecificDatumWriter<T> writer;
  private final BinaryMessageDecoder<T> decoder;
  /**
   * Per thread: a reusable output buffer and a buffered encoder. Avro's own {@code BinaryMessageEncoder} writes
   * through an unbuffered encoder, one synchronized stream call per double (3% of the stream thread's CPU in the
   * profile of docs/benchmarks.md, session 8); the buffered one writes the same bytes in chunks.
   */
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1024);
    BinaryEncoder encoder;
  }

  public AvroSerde(Class<T> type) {
    this.type = type;
    Schema schema = SpecificData.get().getSchema(type);
    this.header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
        .putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
    this.writer = new SpecificDatumWriter<>(schema, SpecificData.get());
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, KnownSchemas.get());
  }

  Class<T> type() {
    return type;
  }

  /** The single-object encoding of {@code value}: the bytes Avro's {@code BinaryMessageEncoder} writes. */
  public byte[] encode(T value) {
    Buffers b = buffers.get();
    boolean done = false;
    try {
      b.out.reset();
      b.out.write(header, 0, HEADER_BYTES);
      b.encoder = EncoderFactory.get().binaryEncoder(b.out, b.encoder);
      writer.write(value, b.encoder);
      b.encoder.flush();
      byte[] bytes = b.out.toByteArray();
      done = b.out.size() <= 1 << 20; // one huge record does not pin its buffer to the thread
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!done) {
        // A write that failed half-way leaves bytes in the encoder's buffer, which reusing it would flush into the
        // next record: this thread starts again from new buffers.
        buffers.remove();
      }
    }
  }

  /**
   * Decodes, or throws {@link SerializationException} naming the type and the problem. The bytes
   * are checked against their writer schema first ({@link AvroBounds}), so hostile lengths fail
   * here instead of allocating.
   */
  public T decode(byte[] bytes) {
    try {
      checkBounds(bytes);
      return decoder.decode(bytes);
    } catch (BadHeaderException e) {
      throw new SerializationException("not an Avro single-object " + type.getSimpleName() + ": " + e.getMessage(), e);
    } catch (MissingSchemaException e) {
      throw new SerializationException("unknown schema fingerprint for " + type.getSimpleName() + ": " + e.getMessage(), e);
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + ": " + e, e);
    }
  }

  private void checkBounds(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || (bytes[0] & 0xff) != 0xC3 || bytes[1] != 0x01) {
      throw new SerializationException("not an Avro single-object " + type.getSimpleName() + ": no C3 01 header or shorter than " + HEADER_BYTES + " bytes");
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = KnownSchemas.get().findByFingerprint(fingerprint);
    if (writer == null) {
      throw new SerializationException("unknown schema fingerprint for " + type.getSimpleName() + ": " + Long.toHexString(fingerprint));
    }
    try {
      AvroBounds.check(bytes, HEADER_BYTES, writer);
    } catch (IllegalArgumentException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + ": " + e.getMessage());
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
