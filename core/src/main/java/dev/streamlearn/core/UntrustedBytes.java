package dev.streamlearn.core;

import dev.streamlearn.schemas.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decoding of bytes read from a topic that anyone with write access may fill. A hostile length in
 * an Avro body can make the decoder allocate or recurse before it notices the bytes run out: the
 * resulting {@link OutOfMemoryError} or {@link StackOverflowError} is about this one record, not the
 * JVM, so it becomes a {@link SerializationException} that the reader skips or quarantines like any
 * other undecodable record.
 */
public final class UntrustedBytes {

  private UntrustedBytes() {}

  public static <T extends SpecificRecord> T decode(AvroSerde<T> serde, byte[] bytes) {
    try {
      return serde.decode(bytes);
    } catch (OutOfMemoryError | StackOverflowError e) {
      throw new SerializationException("cannot decode " + bytes.length + " bytes: " + e, e);
    }
  }
}
