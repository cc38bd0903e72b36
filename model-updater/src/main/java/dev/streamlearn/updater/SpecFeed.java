package dev.streamlearn.updater;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import java.util.List;

/**
 * How a decoded record of records.train or records.eval reaches an {@link OnlineLearner}: the one place that
 * decides whether it fits the model's spec, and how carried synthetic records are learnt, for the updater and
 * for {@code models retrain} alike (a retrain must learn exactly what the updater learnt).
 */
final class SpecFeed {

  /** What learning one record of records.train did. */
  record Learnt(boolean carrierFits, int carriedMisfits) {}

  private final DatasetSpec spec;

  SpecFeed(DatasetSpec spec) {
    this.spec = spec;
  }

  /** As many features as the spec, and a label index inside it. */
  boolean fits(ProcessedRecord p) {
    return p.getFeatures().size() == spec.getFeatures().size() && p.getLabelIndex() >= 0 && p.getLabelIndex() < spec.getLabels().size();
  }

  /**
   * The record first, then the synthetic records it carries, as they were made; whatever a carried record claims, it
   * is learnt as synthetic, and records carried deeper than that are ignored. A record that does not fit is skipped
   * with everything it carries (they were made from it); a carried record that does not fit is skipped alone.
   */
  Learnt learn(ProcessedRecord p, OnlineLearner learner) {
    if (!fits(p)) {
      return new Learnt(false, 0);
    }
    learner.learnOne(values(p.getFeatures()), p.getLabelIndex(), p.getWeight(), p.getSynthetic());
    int misfits = 0;
    for (ProcessedRecord carried : p.getSynthetics()) {
      if (fits(carried)) {
        learner.learnOne(values(carried.getFeatures()), carried.getLabelIndex(), carried.getWeight(), true);
      } else {
        misfits++;
      }
    }
    return new Learnt(true, misfits);
  }

  /**
   * Adds an eval record to the learner's window, by its cleaned raw values when it carries them (each model is then
   * scored through its own serving transform), else by its normalized features. False, and nothing added, if it does not fit.
   */
  boolean eval(ProcessedRecord p, OnlineLearner learner, int partition, long offset) {
    if (!fits(p)) {
      return false;
    }
    if (p.getRaw().size() == p.getFeatures().size()) {
      learner.evalRawOne(values(p.getRaw()), p.getLabelIndex(), partition, offset);
    } else {
      learner.evalOne(values(p.getFeatures()), p.getLabelIndex(), partition, offset); // written before raw values travelled with records
    }
    return true;
  }

  static double[] values(List<Double> l) {
    double[] x = new double[l.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = l.get(i);
    }
    return x;
  }
}
