package dev.streamlearn.streams.rebalance;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Class-balances records.train: SMOTE oversampling (default), random undersampling of classes over
 * their cap, or class weights only; see {@link ClassBalance} for the targets. The counts and the
 * oversampler's reservoirs are mirrored in a RocksDB store ({@link RebalanceState}) so a restarted
 * task continues exactly where it stopped. Counters: {@code train_real.<label>} (real records in),
 * {@code train_class.<label>} (records out, synthetic included), {@code synthetic}, {@code undersampled};
 * gauges: {@code train_target.<label>} (the partition's target for the class) and {@code
 * rebalance_owed} (synthetic records the partition still owes).
 *
 * <p>SMOTE closes gaps beyond sampling noise as records flow and the rest once the partition has had
 * no record for {@code settleIdleMs} (a wall-clock punctuation): the settling records follow the last
 * real record seen (kept in the state store, so a restarted task settles too), in the same
 * transaction as the counts.
 *
 * <p>Synthetic records made as records flow are carried inside the real record that triggered them
 * ({@code ProcessedRecord.synthetics}, unpacked by {@code TrainingRecords}); settling records, and any beyond a
 * carrier's byte budget, go out as records of their own, keyed by their own id.
 */
public final class RebalanceProcessor implements Processor<String, ProcessedRecord, String, ProcessedRecord> {

  public enum Mode { SMOTE, UNDERSAMPLE, WEIGHT, NONE }

  private final Mode mode;
  private final Supplier<Oversampler> factory;
  private final List<String> labels;
  private final long settleIdleMs;
  private final String[] targetGauges;
  private final String[] realCounters;
  private final String[] classCounters;
  private ProcessorContext<String, ProcessedRecord> context;
  private RebalanceState state;
  private Counters counters;
  private Oversampler sampler;
  private Record<String, ProcessedRecord> lastReal;
  private boolean lastRealSaved = true;
  private long lastRealAt;

  /** Never settles: gaps inside the flow margin stay open (tests of the flow alone). */
  public RebalanceProcessor(Mode mode, List<String> labels, Supplier<Oversampler> factory) {
    this(mode, labels, factory, 0);
  }

  public RebalanceProcessor(Mode mode, List<String> labels, Supplier<Oversampler> factory, long settleIdleMs) {
    this.mode = mode;
    this.labels = labels;
    this.factory = factory;
    this.settleIdleMs = settleIdleMs;
    this.targetGauges = labels.stream().map(l -> "train_target." + l).toArray(String[]::new);
    this.realCounters = labels.stream().map(l -> "train_real." + l).toArray(String[]::new);
    this.classCounters = labels.stream().map(l -> "train_class." + l).toArray(String[]::new);
  }

  @Override
  public void init(ProcessorContext<String, ProcessedRecord> context) {
    // A revived task (after a dirty close) calls init again on this same object: nothing of the previous life may stay.
    this.context = context;
    this.lastReal = null;
    this.lastRealSaved = true;
    this.lastRealAt = 0;
    this.counters = new Counters(CommitAlignedStore.open(context, Stores.COUNTERS), "rebalance");
    this.sampler = factory.get();
    this.state = new RebalanceState(CommitAlignedStore.open(context, Stores.REBALANCE), sampler);
    state.restore();
    if (mode == Mode.SMOTE && settleIdleMs > 0) {
      ProcessedRecord template = state.template();
      if (template != null) {
        lastReal = new Record<>(template.getId(), template, template.getTs());
        lastRealAt = context.currentSystemTimeMs();
      }
      context.schedule(Duration.ofMillis(Math.min(1000, Math.max(10, settleIdleMs / 4))), PunctuationType.WALL_CLOCK_TIME, this::settleIfIdle);
    }
  }

  /** The partition is at rest: every class with two real records up to its exact target. */
  private void settleIfIdle(long now) {
    if (!lastRealSaved) {
      // Saved on the punctuation rather than per record: one store write per period, not per record.
      state.saveTemplate(lastReal.value());
      lastRealSaved = true;
    }
    if (lastReal == null || now - lastRealAt < settleIdleMs || sampler.balance().owed() == 0) {
      return;
    }
    List<Oversampler.Synthetic> synthetic = sampler.settle("t" + context.taskId(), SETTLE_BATCH);
    state.countsChanged();
    if (!synthetic.isEmpty()) {
      settled(lastReal, synthetic);
    }
    updateGauges();
  }

  private void updateGauges() {
    ClassBalance b = sampler.balance();
    for (int c = 0; c < labels.size(); c++) {
      counters.set(targetGauges[c], b.target(c, mode));
    }
    if (mode == Mode.SMOTE) {
      counters.set("rebalance_owed", b.owed());
    }
  }

  @Override
  public void process(Record<String, ProcessedRecord> record) {
    ProcessedRecord r = record.value();
    int c = r.getLabelIndex();
    ClassBalance balance = sampler.balance();
    counters.increment(realCounters[c]);
    List<Oversampler.Synthetic> synthetic = List.of();
    switch (mode) {
      case SMOTE -> {
        synthetic = sampler.offer(r.getId(), c, toArray(r.getFeatures()));
        state.sampleTaken(c);
        if (settleIdleMs > 0) {
          lastReal = record;
          lastRealSaved = false;
          lastRealAt = context.currentSystemTimeMs();
        }
      }
      case UNDERSAMPLE -> {
        balance.countReal(c);
        if (!balance.keeps(c)) {
          state.countsChanged();
          counters.increment("undersampled");
          updateGauges();
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
    state.countsChanged();
    counters.increment(classCounters[c]);
    if (synthetic.isEmpty()) {
      context.forward(record.withValue(r));
    } else {
      // The synthetic records ride inside the real record that triggered them: one record written per input
      // instead of 1 + about 1.3 (classes 80/14/6), which is most of what SMOTE cost the topology.
      List<ProcessedRecord> made = synthetic(r, synthetic);
      int carried = carriable(made);
      // A shallow copy, not r itself: r is what every branch after the normalize stage shares, and the settling template.
      ProcessedRecord carrier = new ProcessedRecord(r.getId(), r.getTs(), r.getLabel(), r.getLabelIndex(), r.getFeatures(), r.getSplit(),
          r.getSynthetic(), r.getParents(), r.getStatsVersion(), r.getWeight(), r.getRaw(), List.copyOf(made.subList(0, carried)));
      context.forward(record.withValue(carrier));
      for (ProcessedRecord out : made.subList(carried, made.size())) {
        context.forward(record.withKey(out.getId()).withValue(out));
      }
      count(synthetic);
    }
    updateGauges();
  }

  /**
   * How many of these synthetic records, from the first, one carrier may hold: their estimated bytes (8 a value
   * plus its tag, up to 3 a character of the ids and label, field overhead) stay within {@link #CARRIER_BUDGET_BYTES},
   * so a carrier stays far below a broker's default 1 MB record limit however long the ids (a cleaned record may be
   * up to clean.max.record.bytes, and each synthetic record repeats its parents' ids).
   */
  static int carriable(List<ProcessedRecord> synthetic) {
    long bytes = 0;
    for (int i = 0; i < synthetic.size(); i++) {
      bytes += estimatedBytes(synthetic.get(i));
      if (bytes > CARRIER_BUDGET_BYTES) {
        return i;
      }
    }
    return synthetic.size();
  }

  static long estimatedBytes(ProcessedRecord s) {
    long chars = s.getId().length() + s.getLabel().length();
    for (String p : s.getParents()) {
      chars += p.length();
    }
    return 9L * s.getFeatures().size() + 3 * chars + 64;
  }

  /** Bytes the synthetic records inside one carrier may take; the rest go out as records of their own. */
  static final int CARRIER_BUDGET_BYTES = 256 * 1024;
  /** Most synthetic records one settling punctuation emits (one a second at the default idle time); the rest follow. */
  static final long SETTLE_BATCH = 10_000;

  /** Records made while the partition settles at rest (no real record to carry them), or beyond a carrier's budget. */
  private void forwardSynthetic(Record<String, ProcessedRecord> record, List<Oversampler.Synthetic> synthetic) {
    for (ProcessedRecord out : synthetic(record.value(), synthetic)) {
      context.forward(record.withKey(out.getId()).withValue(out));
    }
  }

  private void settled(Record<String, ProcessedRecord> record, List<Oversampler.Synthetic> synthetic) {
    forwardSynthetic(record, synthetic);
    count(synthetic);
  }

  private List<ProcessedRecord> synthetic(ProcessedRecord r, List<Oversampler.Synthetic> synthetic) {
    List<ProcessedRecord> out = new ArrayList<>(synthetic.size());
    for (Oversampler.Synthetic s : synthetic) {
      // The constructor, not newBuilder(r): a builder deep-copies r's arrays only for them to be replaced.
      out.add(new ProcessedRecord(s.id(), r.getTs(), labels.get(s.label()), s.label(), toList(s.x()), r.getSplit(), true,
          List.of(s.parentId(), s.neighbourId()), r.getStatsVersion(), r.getWeight(), List.of(), List.of()));
    }
    return out;
  }

  private void count(List<Oversampler.Synthetic> synthetic) {
    long[] perClass = new long[labels.size()];
    for (Oversampler.Synthetic s : synthetic) {
      perClass[s.label()]++;
    }
    // One counter write per class that received synthetic records, not one per record.
    for (int l = 0; l < perClass.length; l++) {
      if (perClass[l] > 0) {
        counters.add(classCounters[l], perClass[l]);
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
