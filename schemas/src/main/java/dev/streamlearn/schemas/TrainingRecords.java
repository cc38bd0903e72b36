package dev.streamlearn.schemas;

import dev.streamlearn.avro.ProcessedRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * What one record of records.train stands for. The rebalancer carries the synthetic records that a
 * real record's arrival triggered inside that record ({@code synthetics}), so the topic gets one
 * record per real input; every reader that learns or counts records unpacks them here, in the order
 * they were made: the carrier first, then what it carries.
 */
public final class TrainingRecords {

  private TrainingRecords() {}

  /** The carrier followed by its synthetic records; a record that carries none is returned alone. */
  public static List<ProcessedRecord> unpack(ProcessedRecord carrier) {
    List<ProcessedRecord> carried = carrier.getSynthetics();
    if (carried.isEmpty()) {
      return List.of(carrier);
    }
    List<ProcessedRecord> out = new ArrayList<>(1 + carried.size());
    out.add(carrier);
    out.addAll(carried);
    return out;
  }

  /** Records learnt from this one record of records.train: 1 plus what it carries. */
  public static int count(ProcessedRecord carrier) {
    return 1 + carrier.getSynthetics().size();
  }
}
