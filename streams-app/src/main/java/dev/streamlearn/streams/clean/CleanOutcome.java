package dev.streamlearn.streams.clean;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;

/** What the clean stage emits: a valid record (keyed for dedup) or a rejection for the DLQ. */
public record CleanOutcome(LabeledRecord valid, RejectedRecord rejected) {
  public boolean isValid() {
    return valid != null;
  }
}
