package dev.streamlearn.streams.rebalance;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Class-balances records.train: SMOTE oversampling (default), random undersampling of classes over
 * their share, or class weights only. The oversampler's reservoirs and counts are mirrored in a
 * RocksDB store so a restarted task continues exactly where it stopped.
 */
public final class RebalanceProcessor implements Processor<String, ProcessedRecord, String, ProcessedRecord> {

  public enum Mode { SMOTE, UNDERSAMPLE, WEIGHT, NONE }

  private final Mode mode;
  private final java.util.function.Supplier<Oversampler> factory;
  private final List<String> labels;
  private ProcessorContext<String, ProcessedRecord> context;
  private KeyValueStore<String, byte[]> store;
  private Counters counters;
  private Oversampler sampler;

  public RebalanceProcessor(Mode mode, List<String> labels, java.util.function.Supplier<Oversampler> factory) {
    this.mode = mode;
    this.labels = labels;
    this.factory = factory;
  }

  @Override
  public void init(ProcessorContext<String, ProcessedRecord> context) {
    this.context = context;
    this.store = context.getStateStore(Stores.REBALANCE);
    this.counters = new Counters(context.getStateStore(Stores.COUNTERS));
    this.sampler = factory.get();
    restore();
  }

  @Override
  public void process(Record<String, ProcessedRecord> record) {
    ProcessedRecord r = record.value();
    int c = r.getLabelIndex();
    List<Oversampler.Synthetic> synthetic = List.of();
    switch (mode) {
      case NONE -> sampler.count(c);
      case WEIGHT -> {
        sampler.count(c);
        r.setWeight(sampler.weight(c));
      }
      case UNDERSAMPLE -> {
        if (sampler.overRepresented(c)) {
          counters.increment("undersampled");
          return;
        }
        sampler.count(c);
      }
      case SMOTE -> {
        synthetic = sampler.offer(r.getId(), c, toArray(r.getFeatures()));
        Reservoir res = sampler.reservoir(c);
        int slot = (int) ((res.seen() - 1) % res.capacity());
        store.put("slot." + c + "." + slot, encode(res.get(slot)));
        store.put("seen." + c, ByteBuffer.allocate(8).putLong(res.seen()).array());
      }
      default -> throw new IllegalStateException();
    }
    store.put("emitted." + c, counts(c));
    emit(record, r);
    for (Oversampler.Synthetic s : synthetic) {
      ProcessedRecord out = ProcessedRecord.newBuilder(r).setId(s.id()).setLabel(labels.get(s.label())).setLabelIndex(s.label())
          .setFeatures(toList(s.x())).setRaw(List.of()).setSynthetic(true).setParents(List.of(s.parentId(), s.neighbourId())).build();
      counters.increment("synthetic");
      emit(record.withKey(s.id()), out);
    }
    // One write per class that received synthetic records, not one per record.
    synthetic.stream().mapToInt(Oversampler.Synthetic::label).distinct().forEach(l -> store.put("emitted." + l, counts(l)));
  }

  private byte[] counts(int c) {
    return ByteBuffer.allocate(16).putLong(sampler.emitted(c)).putLong(sampler.real(c)).array();
  }

  private void emit(Record<String, ProcessedRecord> record, ProcessedRecord value) {
    counters.increment("train_class." + labels.get(value.getLabelIndex()));
    context.forward(record.withValue(value));
  }

  private void restore() {
    long[] seen = new long[sampler.classes()];
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        String[] parts = kv.key.split("\\.");
        int c = Integer.parseInt(parts[1]);
        switch (parts[0]) {
          case "emitted" -> sampler.restore(c, ByteBuffer.wrap(kv.value).getLong(), ByteBuffer.wrap(kv.value).getLong(8));
          case "seen" -> seen[c] = ByteBuffer.wrap(kv.value).getLong();
          default -> { }
        }
      }
    }
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        String[] parts = kv.key.split("\\.");
        if (parts[0].equals("slot")) {
          int c = Integer.parseInt(parts[1]);
          sampler.reservoir(c).restore(Integer.parseInt(parts[2]), decode(kv.value), seen[c]);
        }
      }
    }
  }

  static byte[] encode(Reservoir.Sample s) {
    byte[] id = s.id().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + id.length + 8 * s.x().length);
    b.putInt(id.length).put(id).putInt(s.x().length);
    for (double v : s.x()) {
      b.putDouble(v);
    }
    return b.array();
  }

  static Reservoir.Sample decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] id = new byte[b.getInt()];
    b.get(id);
    double[] x = new double[b.getInt()];
    for (int i = 0; i < x.length; i++) {
      x[i] = b.getDouble();
    }
    return new Reservoir.Sample(new String(id, StandardCharsets.UTF_8), x);
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
