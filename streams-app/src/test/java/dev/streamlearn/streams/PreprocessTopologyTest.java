package dev.streamlearn.streams;

import static dev.streamlearn.streams.TopologyFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PreprocessTopologyTest {

  private static final List<String> F2 = List.of("f0", "f1");
  private static final List<String> AB = List.of("a", "b");

  @Test
  void everyRejectReasonReachesTheDlqWithOriginalBytesAndSource() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("clean.max.record.bytes", "300"), F2, AB)) {
      Map<String, String> inputs = new java.util.LinkedHashMap<>();
      inputs.put("MALFORMED", "{not json");
      inputs.put("MISSING_ID", "{\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      inputs.put("MISSING_LABEL", "{\"id\":\"x1\",\"label\":\"  \",\"features\":{\"f0\":1,\"f1\":2}}");
      inputs.put("UNKNOWN_LABEL", json("x2", "zebra", 1, 2));
      inputs.put("NON_FINITE_FEATURE", "{\"id\":\"x3\",\"label\":\"a\",\"features\":{\"f0\":NaN,\"f1\":2}}");
      inputs.put("MISSING_FEATURE", "{\"id\":\"x4\",\"label\":\"a\",\"features\":{\"f0\":1}}");
      inputs.put("EXTRA_FEATURE", "{\"id\":\"x5\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2,\"f9\":3}}");
      inputs.put("OVERSIZE", json("x6", "a", 1, 2).replace("}}", "},\"note\":\"" + "z".repeat(400) + "\"}"));
      inputs.values().forEach(t::send);
      t.send("{\"id\":\"x7\",\"label\":\"a\",\"features\":{\"f0\":\"12\",\"f1\":2}}"); // string feature

      List<RejectedRecord> rejected = t.dlq.readValuesToList();
      assertThat(rejected).extracting(RejectedRecord::getReason)
          .containsExactly("MALFORMED", "MISSING_ID", "MISSING_LABEL", "UNKNOWN_LABEL", "NON_FINITE_FEATURE", "MISSING_FEATURE",
              "EXTRA_FEATURE", "OVERSIZE", "NON_FINITE_FEATURE");
      List<String> originals = rejected.stream().map(r -> StandardCharsets.UTF_8.decode(r.getOriginal()).toString()).toList();
      assertThat(originals.subList(0, inputs.size())).containsExactlyElementsOf(inputs.values());
      assertThat(rejected).allSatisfy(r -> {
        assertThat(r.getSourceTopic()).endsWith("records.raw");
        assertThat(r.getMessage()).isNotBlank();
      });
      assertThat(rejected.stream().map(RejectedRecord::getSourceOffset).distinct().count()).isEqualTo(rejected.size());
      assertThat(t.clean.isEmpty()).isTrue();

      PipelineReport report = t.report();
      assertThat(report.raw()).isEqualTo(9);
      assertThat(report.dlq()).containsEntry("NON_FINITE_FEATURE", 2L).containsEntry("OVERSIZE", 1L);
      assertThat(report.reconciles()).isTrue();
    }
  }

  @Test
  void recordsCleanIsWrittenOnlyWhenEnabledAndTrainPlusEvalHoldTheSameRecords() throws Exception {
    Map<String, String> off = Map.of("streams.clean.topic.enabled", "false", "rebalance.mode", "none", "split.eval.fraction", "0.5");
    try (TopologyFixture t = new TopologyFixture(off, F2, AB)) {
      for (int i = 0; i < 40; i++) {
        t.send(json("r" + i, i % 2 == 0 ? "a" : "b", i, -i));
      }
      assertThat(t.clean.isEmpty()).as("records.clean is opt-in").isTrue();
      Set<String> emitted = new HashSet<>();
      t.trainRecords().forEach(r -> assertThat(emitted.add(r.getId())).isTrue());
      t.eval.readValuesToList().forEach(r -> assertThat(emitted.add(r.getId())).isTrue());
      assertThat(emitted).hasSize(40);
      assertThat(t.report().clean()).as("the clean count does not depend on the topic").isEqualTo(40);
    }
  }

  @Test
  void aRecordKeyedByItsIdSkipsTheRepartitionTopicAndStillMeetsItsDuplicates() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("rebalance.mode", "none"), F2, AB)) {
      String internal = t.config.applicationId() + "-by-dedup-key-repartition";
      var repartition = t.driver.createOutputTopic(internal, new org.apache.kafka.common.serialization.StringDeserializer(), Avro.LABELED.deserializer());
      t.sendKeyed("k1", json("k1", "a", 1, 2));
      assertThat(repartition.isEmpty()).as("keyed by its id on its partition: no repartition record").isTrue();
      t.send(json("k1", "a", 1, 2)); // unkeyed copy: crosses the repartition topic, and meets the original
      t.sendKeyed("other", json("k2", "b", 3, 4)); // keyed, but not by its id: crosses it too
      t.sendKeyed("k2", json("k2", "b", 3, 4)); // its keyed duplicate arrives directly
      assertThat(repartition.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("k1", "k2");
      assertThat(t.clean.readValuesToList()).extracting(ProcessedRecord::getId).containsExactly("k1", "k2");
      PipelineReport r = t.report();
      assertThat(r.duplicates()).isEqualTo(2);
      assertThat(r.reconciles()).isTrue();
    }
  }

  @Test
  void eachStageIsConnectedToExactlyTheStoresItDeclares() {
    dev.streamlearn.core.StreamlearnConfig config = dev.streamlearn.core.StreamlearnConfig.of(Map.of("bootstrap.servers", "unused:9092"));
    dev.streamlearn.avro.DatasetSpec spec = dev.streamlearn.avro.DatasetSpec.newBuilder().setFeatures(F2).setLabels(AB).build();
    Map<String, Set<String>> storesByStage = new java.util.TreeMap<>();
    for (org.apache.kafka.streams.TopologyDescription.Subtopology sub : PreprocessTopology.build(config, spec, 1).describe().subtopologies()) {
      for (org.apache.kafka.streams.TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof org.apache.kafka.streams.TopologyDescription.Processor p && !p.stores().isEmpty()) {
          storesByStage.put(p.name(), p.stores());
        }
      }
    }
    assertThat(storesByStage).containsExactlyInAnyOrderEntriesOf(Map.of(
        "clean", Set.of(Stores.CLEAN_COUNTERS),
        "clean-report", Set.of(Stores.CLEAN_COUNTERS),
        "dedup", Set.of(Stores.DEDUP, Stores.COUNTERS),
        "normalize", Set.of(Stores.NORMALIZER, Stores.NORMALIZE_WARMUP, Stores.COUNTERS),
        "prep-report", Set.of(Stores.COUNTERS, Stores.NORMALIZER),
        "rebalance", Set.of(Stores.REBALANCE, Stores.COUNTERS)));
  }

  @Test
  void aSettingTheStagesCannotReadFailsAtBuildNamingTheSetting() {
    dev.streamlearn.core.StreamlearnConfig config = dev.streamlearn.core.StreamlearnConfig.of(Map.of("bootstrap.servers", "unused:9092"));
    dev.streamlearn.avro.DatasetSpec spec = dev.streamlearn.avro.DatasetSpec.newBuilder().setFeatures(F2).setLabels(AB).setMissing("sometimes").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PreprocessTopology.build(config, spec, 1))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class).hasMessageContaining("missing").hasMessageContaining("sometimes");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.streamlearn.streams.dedup.DedupKey.of("ids")).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.streamlearn.stats.Scaler.method("z-score")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void policiesImputeMissingAndDropExtraAndLabelsAreTrimmed() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("missing", "impute-mean", "extra", "drop"), F2, AB)) {
      t.send(json("r1", "a", 2, 10));
      t.send(json("r2", " b ", 4, 20));
      t.send("{\"id\":\"r3\",\"label\":\"a\",\"features\":{\"f0\":6,\"f9\":1}}");
      List<ProcessedRecord> out = t.clean.readValuesToList();
      assertThat(out).extracting(ProcessedRecord::getLabel).containsExactly("a", "b", "a");
      // r3: f1 missing is imputed with the running mean, i.e. 0 after z-scoring
      assertThat(out.get(2).getFeatures().get(1)).isEqualTo(0.0);
      assertThat(t.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void personalDataIsHashedBeforeItIsForwarded() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("pii.fields", "email", "pii.mode", "hash", "pii.secret", "s3cret",
        "rebalance.mode", "none", "split.eval.fraction", "0"), F2, AB)) {
      t.send("{\"id\":\"r1\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2},\"metadata\":{\"email\":\"ann@example.com\"}}");
      // the repartition topic carries LabeledRecords: check what crossed it
      var internal = t.driver.producedTopicNames().stream().filter(n -> n.contains("by-dedup-key")).findFirst().orElseThrow();
      var topic = t.driver.createOutputTopic(internal, new org.apache.kafka.common.serialization.StringDeserializer(), Avro.LABELED.deserializer());
      LabeledRecord crossed = topic.readValue();
      assertThat(crossed.getMetadata().get("email")).hasSize(64).doesNotContain("ann");
    }
  }

  @Test
  void duplicatesAreDroppedByIdEvenFarApart() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("rebalance.mode", "none"), F2, AB)) {
      t.send(json("dup", "a", 1, 1));
      for (int i = 0; i < 500; i++) {
        t.send(json("r" + i, i % 2 == 0 ? "a" : "b", i, -i));
      }
      t.send(json("dup", "a", 1, 1));
      t.send(json("r7", "b", 99, 99)); // same id, other content: still a duplicate
      List<ProcessedRecord> out = t.clean.readValuesToList();
      assertThat(out).hasSize(501);
      assertThat(out.stream().map(ProcessedRecord::getId).distinct().count()).isEqualTo(501);
      PipelineReport report = t.report();
      assertThat(report.duplicates()).isEqualTo(2);
      assertThat(report.raw()).isEqualTo(503);
      assertThat(report.reconciles()).isTrue();
    }
  }

  @Test
  void contentDedupCatchesResendsUnderNewIds() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("dedup.key", "content"), F2, AB)) {
      t.send(json("r1", "a", 1, 2));
      t.send(json("r2", "a", 1, 2));
      t.send(json("r3", "b", 1, 2));
      assertThat(t.clean.readValuesToList()).extracting(ProcessedRecord::getId).containsExactly("r1", "r3");
    }
  }

  @Test
  void normalizerMatchesABatchComputationAndRecordsNameTheirStatsVersion() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("rebalance.mode", "none"), F2, AB)) {
      Random rnd = new Random(1);
      double[] xs = new double[300];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = 50 + 10 * rnd.nextGaussian();
        t.send(json("r" + i, "a", xs[i], 3.0));
      }
      double mean = java.util.Arrays.stream(xs).average().orElseThrow();
      double var = java.util.Arrays.stream(xs).map(x -> (x - mean) * (x - mean)).sum() / xs.length;
      PipelineReport report = t.report();
      assertThat(report.normalizer().mean(0)).isCloseTo(mean, within(1e-9));
      assertThat(report.normalizer().std(0)).isCloseTo(Math.sqrt(var), within(1e-9));
      assertThat(report.normalizer().std(1)).isEqualTo(0.0);
      List<ProcessedRecord> out = t.clean.readValuesToList();
      ProcessedRecord last = out.get(out.size() - 1);
      assertThat(last.getStatsVersion()).isEqualTo(300);
      assertThat(last.getFeatures().get(0)).isCloseTo((xs[299] - mean) / Math.sqrt(var), within(1e-9));
      assertThat(last.getFeatures().get(1)).as("constant feature").isEqualTo(0.0);
    }
  }

  @Test
  void splitIsStableAndDisjointAndEvalIsNeverOversampled() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("split.eval.fraction", "0.2"), F2, AB)) {
      for (int i = 0; i < 2000; i++) {
        t.send(json("r" + i, i % 10 == 0 ? "b" : "a", i % 17, i % 5));
      }
      List<ProcessedRecord> eval = t.eval.readValuesToList();
      List<ProcessedRecord> train = t.trainRecords();
      Set<String> evalIds = eval.stream().map(ProcessedRecord::getId).collect(Collectors.toSet());
      Set<String> trainParents = new HashSet<>();
      train.forEach(r -> {
        trainParents.add(r.getSynthetic() ? r.getParents().get(0) : r.getId());
        if (r.getSynthetic()) {
          trainParents.addAll(r.getParents());
        }
      });
      assertThat(eval).allSatisfy(r -> {
        assertThat(r.getSplit()).isEqualTo(Split.EVAL);
        assertThat(r.getSynthetic()).isFalse();
      });
      assertThat(evalIds).doesNotContainAnyElementsOf(trainParents);
      assertThat(eval.size() / 2000.0).isCloseTo(0.2, within(0.03));
    }
  }

  @Test
  void smoteBalancesTrainingClassesToTheTargetRatio() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("split.eval.fraction", "0.1"), F2, AB)) {
      Random rnd = new Random(7);
      for (int i = 0; i < 3000; i++) {
        boolean minority = rnd.nextDouble() < 0.1;
        t.send(json("r" + i, minority ? "b" : "a", (minority ? 3 : 0) + rnd.nextGaussian(), rnd.nextGaussian()));
      }
      t.driver.advanceWallClockTime(java.time.Duration.ofSeconds(6)); // at rest: the partition settles its balance
      List<ProcessedRecord> train = t.trainRecords();
      long a = train.stream().filter(r -> r.getLabel().equals("a")).count();
      long b = train.stream().filter(r -> r.getLabel().equals("b")).count();
      assertThat((double) b / a).isCloseTo(1.0, within(0.02));
      assertThat(train.stream().filter(ProcessedRecord::getSynthetic)).isNotEmpty().allSatisfy(r -> {
        assertThat(r.getLabel()).as("the majority is never oversampled").isEqualTo("b");
        assertThat(r.getParents()).hasSize(2);
      });
      PipelineReport report = t.report();
      assertThat(report.trainClasses().get("b")).isEqualTo(b);
      assertThat(report.synthetic()).isEqualTo(train.stream().filter(ProcessedRecord::getSynthetic).count());
      assertThat(report.train() + report.synthetic()).isEqualTo(train.size());
      assertThat(report.reconciles()).isTrue();
    }
  }

  @Test
  void avroInputIsAcceptedLikeJson() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of(), F2, AB)) {
      t.sendBytes(Avro.LABELED.encode(LabeledRecord.newBuilder().setId("av1").setTs(5).setLabel("a").setFeatures(Map.of("f0", 1.0, "f1", 2.0)).build()));
      assertThat(t.clean.readValue().getId()).isEqualTo("av1");
    }
  }
}
