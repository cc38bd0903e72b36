package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.streams.hostile.HostileCorpus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed hostile corpus through the whole topology: each entry has its expected outcome, and nothing escapes. */
class HostileCorpusTest {

  @Test
  void theCommittedCorpusIsTheGeneratedOne() throws Exception {
    Map<String, HostileCorpus.Entry> committed = HostileCorpus.load(HostileCorpus.DIR);
    Map<String, HostileCorpus.Entry> generated = HostileCorpus.generate();
    assertThat(committed.keySet()).as("run HostileCorpus.main to regenerate").containsExactlyElementsOf(generated.keySet());
    generated.forEach((name, e) -> {
      assertThat(HexFormat.of().formatHex(committed.get(name).bytes())).as(name).isEqualTo(HexFormat.of().formatHex(e.bytes()));
      assertThat(committed.get(name).expected()).as(name).isEqualTo(e.expected());
    });
  }

  @Test
  void everyEntryEndsAsExactlyOneExpectedOutcome() throws Exception {
    Map<String, HostileCorpus.Entry> corpus = HostileCorpus.load(HostileCorpus.DIR);
    Map<String, String> outcome = new LinkedHashMap<>();
    List<String> wrong = new ArrayList<>();
    try (TopologyFixture t = new TopologyFixture(Map.of(), List.of("f0", "f1"), List.of("a", "b"))) {
      for (HostileCorpus.Entry e : corpus.values()) {
        t.sendBytes(e.bytes());
        int clean = t.clean.readValuesToList().size();
        List<RejectedRecord> dlq = t.dlq.readValuesToList();
        assertThat(clean + dlq.size()).as(e.name()).isLessThanOrEqualTo(1);
        String got = clean == 1 ? "CLEAN" : dlq.isEmpty() ? "DUPLICATE" : dlq.get(0).getReason();
        if (!dlq.isEmpty()) {
          assertThat(dlq.get(0).getOriginal()).as(e.name()).isEqualTo(ByteBuffer.wrap(e.bytes()));
        }
        outcome.put(e.name(), got);
        if (!e.expected().equals("*") && !e.expected().equals(got)) {
          wrong.add(e.name() + ": expected " + e.expected() + ", got " + got + (dlq.isEmpty() ? "" : " (" + dlq.get(0).getMessage() + ")"));
        }
      }
      assertThat(wrong).isEmpty();
      PipelineReport report = t.report();
      assertThat(report.raw()).isEqualTo(corpus.size());
      assertThat(report.reconciles()).isTrue();
      assertThat(report.duplicates()).isEqualTo(outcome.values().stream().filter("DUPLICATE"::equals).count());
      for (int i = 0; i < 2; i++) {
        assertThat(report.normalizer().mean(i)).isFinite();
        assertThat(report.normalizer().variance(i)).isFinite();
      }
    }
  }
}
