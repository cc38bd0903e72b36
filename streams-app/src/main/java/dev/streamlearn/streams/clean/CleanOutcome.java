package dev.streamlearn.streams.clean;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;

/**
 * What the clean stage emits: a valid record (keyed for dedup) or a rejection for the DLQ.
 * {@code placed}: the valid record already lies on its dedup partition and skips the repartition topic.
 */
public record CleanOutcome(LabeledRecord valid, RejectedRecord rejected, boolean placed) {
  public boolean isValid() {
    return valid != null;
  }
}
