package dev.streamlearn.streams.dedup;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether a raw record already sits where the re-key would send it, so that it can skip the
 * repartition topic (one record written and read less, and one transaction less before it is visible).
 *
 * <p>Why this is sound: dedup needs every copy of a key to meet in the same task. The repartition
 * topic is created with exactly {@link #partitions} partitions (the count of records.raw at start,
 * pinned on the topic), and Kafka Streams' default partitioner puts a record with key bytes {@code k}
 * on partition {@code toPositive(murmur2(k)) % partitions}. The dedup stage reads records.raw and the
 * repartition topic in the same sub-topology, so task {@code p} reads partition {@code p} of both. A raw
 * record whose key bytes are its dedup key (UTF-8) and which lies on that same partition number is
 * therefore already in the task its repartitioned copies would reach: every other copy of the key,
 * keyed or not, on any partition, ends up in that task too. The partition is checked, not assumed,
 * because a producer may use its own partitioner or a partition count other than the topic's.
 */
public final class DedupPlacement {

  private final int partitions;

  /** @param partitions partitions of records.raw and of the repartition topic; 0 turns the shortcut off */
  public DedupPlacement(int partitions) {
    this.partitions = partitions;
  }

  public int partitions() {
    return partitions;
  }

  public boolean enabled() {
    return partitions > 0;
  }

  /** @param rawKey the raw record's key bytes; {@code partition} the raw partition it was read from */
  public boolean alreadyPlaced(byte[] rawKey, String dedupKey, int partition) {
    if (partitions <= 0 || rawKey == null) {
      return false;
    }
    byte[] key = dedupKey.getBytes(StandardCharsets.UTF_8);
    return Arrays.equals(rawKey, key) && partition == Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
