package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

class DedupPlacementTest {

  /** The shortcut is sound only if it agrees with the partitioner Kafka Streams uses for the repartition topic. */
  @Property
  void placedExactlyWhereTheRepartitionWouldSendTheKey(@ForAll String id, @ForAll @IntRange(min = 1, max = 64) int partitions,
      @ForAll @IntRange(min = 0, max = 63) int partition) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    boolean expected = partition == BuiltInPartitioner.partitionForKey(key, partitions);
    assertThat(new DedupPlacement(partitions).alreadyPlaced(key, id, partition)).isEqualTo(expected);
  }

  @Property
  void neverPlacedWithoutTheIdAsKeyOrWithoutAPartitionCount(@ForAll String id, @ForAll String otherKey, @ForAll @IntRange(min = 1, max = 8) int partitions) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    int home = BuiltInPartitioner.partitionForKey(key, partitions);
    assertThat(new DedupPlacement(partitions).alreadyPlaced(null, id, home)).isFalse();
    assertThat(new DedupPlacement(0).alreadyPlaced(key, id, 0)).isFalse();
    if (!otherKey.equals(id)) {
      assertThat(new DedupPlacement(partitions).alreadyPlaced(otherKey.getBytes(StandardCharsets.UTF_8), id, home)).isFalse();
    }
  }
}
