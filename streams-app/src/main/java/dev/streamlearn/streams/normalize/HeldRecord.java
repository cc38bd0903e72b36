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
 * so that on release it leaves exactly as it came in.
 */
record HeldRecord(long arrivedMillis, Record<String, LabeledRecord> record) {

  /** Bumped when the layout changes; the bytes of any other version are refused rather than misread. */
  private static final byte FORMAT = 2;

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

  static HeldRecord fromBytes(byte[] b) {
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
