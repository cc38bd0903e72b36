package dev.streamlearn.streams.split;

import dev.streamlearn.avro.Split;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Train/eval assignment by a stable hash of the id (Kafka's murmur2), so a record lands on the same
 * side on every replay, in every instance, and an id can never be in both splits.
 */
public final class Splitter {

  private static final int BUCKETS = 10_000;
  private final int evalBuckets;

  public Splitter(double evalFraction) {
    this.evalBuckets = (int) Math.round(evalFraction * BUCKETS);
  }

  public Split assign(String id) {
    int bucket = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % BUCKETS;
    return bucket < evalBuckets ? Split.EVAL : Split.TRAIN;
  }
}
