package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.StreamlearnConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one spec check and carried-record rule the updater and a retrain share. */
class SpecFeedTest {

  private static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(List.of("a", "b")).setLabels(List.of("x", "y", "z")).build();
  private final SpecFeed feed = new SpecFeed(SPEC);

  private static OnlineLearner learner() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "4"));
    return new OnlineLearner(ModelFactory.create(c, 2, 3), null, OnlineLearner.Lineage.EMPTY, SPEC.getLabels(), QualityGate.from(c), 1000, 100);
  }

  private static ProcessedRecord record(String id, int label, List<Double> x, boolean synthetic, List<ProcessedRecord> carried) {
    return new ProcessedRecord(id, 1L, label >= 0 && label < 3 ? SPEC.getLabels().get(label) : "?", label, x, Split.TRAIN, synthetic, List.of(), 1L, 1.0,
        List.of(), carried);
  }

  @Test
  void aLabelIndexOutsideTheSpecOrTheWrongWidthDoesNotFit() {
    assertThat(feed.fits(record("ok", 2, List.of(1.0, 2.0), false, List.of()))).isTrue();
    assertThat(feed.fits(record("neg", -1, List.of(1.0, 2.0), false, List.of()))).isFalse();
    assertThat(feed.fits(record("big", 3, List.of(1.0, 2.0), false, List.of()))).isFalse();
    assertThat(feed.fits(record("wide", 0, List.of(1.0, 2.0, 3.0), false, List.of()))).isFalse();
  }

  @Test
  void carriedRecordsAreLearntAsSyntheticAndAMisfitAloneIsSkipped() {
    OnlineLearner l = learner();
    ProcessedRecord claimsReal = record("s1", 1, List.of(0.5, 0.5), false, List.of());
    ProcessedRecord misfit = record("s2", 7, List.of(0.5, 0.5), true, List.of());
    ProcessedRecord deeper = record("s3", 0, List.of(0.1, 0.1), true, List.of(record("s4", 0, List.of(0.0, 0.0), true, List.of())));
    SpecFeed.Learnt learnt = feed.learn(record("r", 0, List.of(1.0, 1.0), false, List.of(claimsReal, misfit, deeper)), l);
    assertThat(learnt).isEqualTo(new SpecFeed.Learnt(true, 1));
    assertThat(l.trained()).as("the carrier, s1 and s3; not s2, not s4 carried inside s3").isEqualTo(3);
    assertThat(l.synthetic()).as("s1 claims to be real but was carried").isEqualTo(2);
  }

  @Test
  void aCarrierThatDoesNotFitTakesWhatItCarriesWithIt() {
    OnlineLearner l = learner();
    SpecFeed.Learnt learnt = feed.learn(record("r", 0, List.of(1.0), false, List.of(record("s", 0, List.of(1.0, 1.0), true, List.of()))), l);
    assertThat(learnt.carrierFits()).isFalse();
    assertThat(l.trained()).isZero();
  }

  @Test
  void anEvalRecordThatDoesNotFitNeverReachesTheWindow() {
    OnlineLearner l = learner();
    assertThat(feed.eval(record("e1", -1, List.of(1.0, 2.0), false, List.of()), l, 0, 1)).isFalse();
    assertThat(l.evalRecords()).isZero();
    assertThat(feed.eval(record("e2", 1, List.of(1.0, 2.0), false, List.of()), l, 0, 2)).isTrue();
    assertThat(l.evalRecords()).isEqualTo(1);
  }
}
