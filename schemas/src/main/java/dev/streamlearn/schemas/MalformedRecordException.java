package dev.streamlearn.schemas;

/** The bytes are neither a JSON object nor an Avro record of a known schema. */
public final class MalformedRecordException extends Exception {
  public MalformedRecordException(String message) {
    super(message);
  }

  public MalformedRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
