package dev.streamlearn.streams.rebalance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Mirrors an {@link Oversampler} (its class counts and reservoirs) in a key-value store, so a
 * restarted task continues exactly where it stopped. Two small writes per real record: the counts of
 * every class in one value ({@code counts}: real, emitted and reservoir position, 24 bytes a class),
 * and the reservoir slot the record took ({@code slot.<class>.<slot>}).
 */
final class RebalanceState {

  private static final String COUNTS = "counts";
  private static final String TEMPLATE = "template";

  private final KeyValueStore<String, byte[]> store;

  RebalanceState(KeyValueStore<String, byte[]> store) {
    this.store = store;
  }

  void saveCounts(Oversampler sampler) {
    ClassBalance b = sampler.balance();
    ByteBuffer buf = ByteBuffer.allocate(24 * b.classes());
    for (int c = 0; c < b.classes(); c++) {
      buf.putLong(b.real(c)).putLong(b.emitted(c)).putLong(sampler.reservoir(c).seen());
    }
    store.put(COUNTS, buf.array());
  }

  /** Saves the slot the latest sample of class c took. */
  void saveLatestSample(Oversampler sampler, int c) {
    Reservoir res = sampler.reservoir(c);
    int slot = (int) ((res.seen() - 1) % res.capacity());
    store.put("slot." + c + "." + slot, encode(res.get(slot)));
  }

  /** The last real record, which settling synthetic records are built on (also after a restart). */
  void saveTemplate(dev.streamlearn.avro.ProcessedRecord r) {
    store.put(TEMPLATE, dev.streamlearn.schemas.Avro.PROCESSED.serializer().serialize(null, r));
  }

  dev.streamlearn.avro.ProcessedRecord template() {
    byte[] b = store.get(TEMPLATE);
    return b == null ? null : dev.streamlearn.schemas.Avro.PROCESSED.deserializer().deserialize(null, b);
  }

  void restore(Oversampler sampler) {
    byte[] counts = store.get(COUNTS);
    if (counts == null) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(counts);
    long[] seen = new long[sampler.balance().classes()];
    for (int c = 0; c < seen.length; c++) {
      sampler.balance().restore(c, buf.getLong(), buf.getLong());
      seen[c] = buf.getLong();
    }
    try (KeyValueIterator<String, byte[]> it = store.prefixScan("slot.", new org.apache.kafka.common.serialization.StringSerializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        String[] parts = kv.key.split("\\.");
        int c = Integer.parseInt(parts[1]);
        sampler.reservoir(c).restore(Integer.parseInt(parts[2]), decode(kv.value), seen[c]);
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
}
