package dev.streamlearn.benchmarks;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.schemas.Avro;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One records.train record through the single-object Avro serde, each way. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroBenchmark {

  private ProcessedRecord record;
  private byte[] bytes;

  @Setup
  public void setUp() {
    List<Double> f = List.of(0.1, -1.2, 0.3, 2.0, -0.5, 0.9);
    record = ProcessedRecord.newBuilder().setId("tx-123456").setTs(1).setLabel("fraud").setLabelIndex(0).setFeatures(f)
        .setSplit(Split.TRAIN).setStatsVersion(7).build();
    bytes = Avro.PROCESSED.encode(record);
  }

  @Benchmark
  public byte[] encode() {
    return Avro.PROCESSED.encode(record);
  }

  @Benchmark
  public ProcessedRecord decode() {
    return Avro.PROCESSED.decode(bytes);
  }
}
