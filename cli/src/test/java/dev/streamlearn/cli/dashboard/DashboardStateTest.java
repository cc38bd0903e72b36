package dev.streamlearn.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Which versions /api/state carries: the newest ones, plus the current one and its parent however old. */
class DashboardStateTest {

  @Test
  void theNewestVersionsPlusTheCurrentOneAndItsParent() {
    TreeMap<Long, ModelSnapshot> versions = new TreeMap<>();
    LongStream.rangeClosed(1, 500).forEach(v -> versions.put(v, snapshot(v)));

    List<Long> shown = DashboardState.shown(versions, 200, Optional.of(10L)).stream().map(ModelSnapshot::getVersion).toList();
    assertThat(shown).hasSize(202).startsWith(9L, 10L, 301L).endsWith(500L).isSorted();

    assertThat(DashboardState.shown(versions, 200, Optional.of(450L))).as("current among the newest").hasSize(200);
    assertThat(DashboardState.shown(versions, 1000, Optional.empty())).hasSize(500);
    assertThat(DashboardState.shown(versions, 3, Optional.of(1L)).stream().map(ModelSnapshot::getVersion).toList())
        .as("the first version has no parent").containsExactly(1L, 498L, 499L, 500L);
    assertThat(DashboardState.shown(versions, 3, Optional.of(9999L))).as("a current version no longer on the topic").hasSize(3);
  }

  private static ModelSnapshot snapshot(long version) {
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(List.of("f")).setLabels(List.of("a", "b")).build();
    return ModelSnapshot.newBuilder().setModel("m").setVersion(version).setParentVersion(version > 1 ? version - 1 : null).setCreatedAt(0)
        .setStatus(SnapshotStatus.PROMOTED).setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(0).setSha256("")
        .setSpec(spec).setOffsets(Map.of()).setTrainedRecords(version).setSyntheticRecords(0).setConfigHash("").setMetrics(Map.of()).build();
  }
}
