package dev.streamlearn.streams.normalize;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.Avro;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A record held by the normalization warm-up, as stored: the wall-clock time it arrived (so the
 * maximum wait counts from its arrival across restarts), then its key, timestamp, headers and value,
 * so that on release it leaves exactly as it came in. {@code counted}: whether it was counted as
 * {@code held} when it was held (records of the first layout, without arrival time or headers, were not).
 */
record HeldRecord(long arrivedMillis, Record<String, LabeledRecord> record, boolean counted) {

  /** Bumped when the layout changes. The first layout began with the record timestamp, whose first byte is 0. */
  private static final byte FORMAT = 2;
  private static final byte FIRST_FORMAT = 0;

  HeldRecord(long arrivedMillis, Record<String, LabeledRecord> record) {
    this(arrivedMillis, record, true);
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(arrivedMillis);
      out.writeLong(record.timestamp());
      writeNullable(out, record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8));
      Header[] headers = record.headers().toArray();
      out.writeInt(headers.length);
      for (Header h : headers) {
        writeNullable(out, h.key().getBytes(StandardCharsets.UTF_8));
        writeNullable(out, h.value());
      }
      out.write(Avro.LABELED.encode(record.value()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** {@code arrivedIfUnknown}: the arrival time to assume for a record of the first layout, which did not store it. */
  static HeldRecord fromBytes(byte[] b, long arrivedIfUnknown) {
    if (b[0] == FIRST_FORMAT) {
      return fromFirstFormat(b, arrivedIfUnknown);
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("held record of format " + format + ", expected " + FORMAT);
      }
      long arrived = in.readLong();
      long ts = in.readLong();
      byte[] key = readNullable(in);
      Headers headers = new RecordHeaders();
      for (int n = in.readInt(); n > 0; n--) {
        headers.add(new String(readNullable(in), StandardCharsets.UTF_8), readNullable(in));
      }
      LabeledRecord value = Avro.LABELED.decode(in.readAllBytes());
      return new HeldRecord(arrived, new Record<>(key == null ? null : new String(key, StandardCharsets.UTF_8), value, ts, headers));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** timestamp, key length, key (null keys were stored empty), value. */
  private static HeldRecord fromFirstFormat(byte[] b, long arrived) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
    long ts = in.getLong();
    byte[] key = new byte[in.getInt()];
    in.get(key);
    byte[] value = new byte[in.remaining()];
    in.get(value);
    return new HeldRecord(arrived, new Record<>(new String(key, StandardCharsets.UTF_8), Avro.LABELED.decode(value), ts), false);
  }

  private static void writeNullable(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] readNullable(DataInputStream in) throws IOException {
    int n = in.readInt();
    return n < 0 ? null : in.readNBytes(n);
  }
}
