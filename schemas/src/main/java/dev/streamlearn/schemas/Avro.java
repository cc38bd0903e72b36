package dev.streamlearn.schemas;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;

/** One shared serde per contract type. Serdes are thread-safe: encoders and decoders keep no per-call state. */
public final class Avro {
  public static final AvroSerde<LabeledRecord> LABELED = new AvroSerde<>(LabeledRecord.class);
  public static final AvroSerde<ProcessedRecord> PROCESSED = new AvroSerde<>(ProcessedRecord.class);
  public static final AvroSerde<RejectedRecord> REJECTED = new AvroSerde<>(RejectedRecord.class);
  public static final AvroSerde<DatasetSpec> SPEC = new AvroSerde<>(DatasetSpec.class);
  public static final AvroSerde<NormalizerStats> STATS = new AvroSerde<>(NormalizerStats.class);
  public static final AvroSerde<ModelSnapshot> SNAPSHOT = new AvroSerde<>(ModelSnapshot.class);
  public static final AvroSerde<ModelPointer> POINTER = new AvroSerde<>(ModelPointer.class);
  public static final AvroSerde<ModelCommand> COMMAND = new AvroSerde<>(ModelCommand.class);

  /** Avro single-object encoding starts with these two bytes (C3 01). */
  public static boolean isSingleObject(byte[] bytes) {
    return bytes != null && bytes.length >= 10 && (bytes[0] & 0xff) == 0xC3 && bytes[1] == 0x01;
  }

  private Avro() {}
}
