package dev.streamlearn.streams.rebalance;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Class-balances records.train: SMOTE oversampling (default), random undersampling of classes over
 * their cap, or class weights only; see {@link ClassBalance} for the targets. The counts and the
 * oversampler's reservoirs are mirrored in a RocksDB store ({@link RebalanceState}) so a restarted
 * task continues exactly where it stopped. Counters: {@code train_real.<label>} (real records in),
 * {@code train_class.<label>} (records out, synthetic included), {@code synthetic}, {@code undersampled}.
 */
public final class RebalanceProcessor implements Processor<String, ProcessedRecord, String, ProcessedRecord> {

  public enum Mode { SMOTE, UNDERSAMPLE, WEIGHT, NONE }

  private final Mode mode;
  private final Supplier<Oversampler> factory;
  private final List<String> labels;
  private ProcessorContext<String, ProcessedRecord> context;
  private RebalanceState state;
  private Counters counters;
  private Oversampler sampler;

  public RebalanceProcessor(Mode mode, List<String> labels, Supplier<Oversampler> factory) {
    this.mode = mode;
    this.labels = labels;
    this.factory = factory;
  }

  @Override
  public void init(ProcessorContext<String, ProcessedRecord> context) {
    this.context = context;
    this.state = new RebalanceState(context.getStateStore(Stores.REBALANCE));
    this.counters = new Counters(context.getStateStore(Stores.COUNTERS));
    this.sampler = factory.get();
    state.restore(sampler);
  }

  @Override
  public void process(Record<String, ProcessedRecord> record) {
    ProcessedRecord r = record.value();
    int c = r.getLabelIndex();
    ClassBalance balance = sampler.balance();
    counters.increment("train_real." + labels.get(c));
    List<Oversampler.Synthetic> synthetic = List.of();
    switch (mode) {
      case SMOTE -> {
        synthetic = sampler.offer(r.getId(), c, toArray(r.getFeatures()));
        state.saveLatestSample(sampler, c);
      }
      case UNDERSAMPLE -> {
        balance.countReal(c);
        if (!balance.keeps(c)) {
          state.saveCounts(sampler);
          counters.increment("undersampled");
          return;
        }
        balance.countEmitted(c, 1);
      }
      case WEIGHT -> {
        balance.countReal(c);
        balance.countEmitted(c, 1);
        r.setWeight(balance.weight(c));
      }
      case NONE -> {
        balance.countReal(c);
        balance.countEmitted(c, 1);
      }
      default -> throw new IllegalStateException();
    }
    state.saveCounts(sampler);
    counters.increment("train_class." + labels.get(c));
    context.forward(record.withValue(r));
    if (!synthetic.isEmpty()) {
      forwardSynthetic(record, synthetic);
    }
  }

  /** Synthetic records go out right after the real record that triggered them, each keyed by its own id. */
  private void forwardSynthetic(Record<String, ProcessedRecord> record, List<Oversampler.Synthetic> synthetic) {
    ProcessedRecord r = record.value();
    long[] perClass = new long[labels.size()];
    for (Oversampler.Synthetic s : synthetic) {
      ProcessedRecord out = ProcessedRecord.newBuilder(r).setId(s.id()).setLabel(labels.get(s.label())).setLabelIndex(s.label())
          .setFeatures(toList(s.x())).setRaw(List.of()).setSynthetic(true).setParents(List.of(s.parentId(), s.neighbourId())).build();
      perClass[s.label()]++;
      context.forward(record.withKey(s.id()).withValue(out));
    }
    // One counter write per class that received synthetic records, not one per record.
    for (int l = 0; l < perClass.length; l++) {
      if (perClass[l] > 0) {
        counters.add("train_class." + labels.get(l), perClass[l]);
      }
    }
    counters.add("synthetic", synthetic.size());
  }

  private static double[] toArray(List<Double> l) {
    double[] a = new double[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  private static List<Double> toList(double[] a) {
    List<Double> l = new ArrayList<>(a.length);
    for (double v : a) {
      l.add(v);
    }
    return l;
  }
}
