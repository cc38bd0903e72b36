package dev.streamlearn.streams.clean;

/** Why a record went to the dead-letter topic. The code is stable: operators' tooling groups by it. */
public enum RejectReason {
  /** Bytes that are neither a JSON object nor Avro of a known schema. */
  MALFORMED,
  MISSING_ID,
  MISSING_LABEL,
  /** A label outside the dataset spec's label set. */
  UNKNOWN_LABEL,
  /** A feature that is NaN, infinite, or not a number at all. */
  NON_FINITE_FEATURE,
  /** A spec feature absent from the record (missing=reject). */
  MISSING_FEATURE,
  /** A feature not in the spec (extra=reject). */
  EXTRA_FEATURE,
  /** Larger than clean.max.record.bytes. */
  OVERSIZE,
  /** A finite feature whose magnitude exceeds clean.feature.max.abs (it would swamp the running statistics). */
  OUT_OF_RANGE,
  /** An event time that is negative, or more than clean.max.future.ms after the Kafka record's timestamp. */
  BAD_TIMESTAMP,
  /** The clean stage itself failed on the record (any exception or error, e.g. OutOfMemoryError): kept for inspection, never retried. */
  UNPROCESSABLE
}
