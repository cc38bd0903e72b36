package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.ProcessedRecord;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DedupIdempotenceTest {

  /** Feeding a stream, then any of its records again, emits each id once: dedup(dedup(s) + s) = dedup(s). */
  @Property(tries = 25)
  void dedupIsIdempotent(@ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 30) Integer> ids) throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("rebalance.mode", "none"), List.of("f0"), List.of("a"))) {
      for (int id : ids) {
        t.send(TopologyFixture.json("r" + id, "a", id));
      }
      List<String> first = t.clean.readValuesToList().stream().map(ProcessedRecord::getId).toList();
      for (int id : ids) {
        t.send(TopologyFixture.json("r" + id, "a", id));
      }
      assertThat(t.clean.readValuesToList()).as("a replay adds nothing").isEmpty();
      assertThat(first).doesNotHaveDuplicates().containsExactlyElementsOf(ids.stream().distinct().map(i -> "r" + i).toList());
    }
  }
}
