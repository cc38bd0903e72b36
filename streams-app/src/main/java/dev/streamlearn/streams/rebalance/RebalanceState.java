package dev.streamlearn.streams.rebalance;

import dev.streamlearn.streams.CommitAlignedStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Mirrors an {@link Oversampler} (its class counts and reservoirs) in a key-value store, so a
 * restarted task continues exactly where it stopped. Written once per commit ({@link CommitAlignedStore}):
 * the counts of every class in one value ({@code counts}: real, emitted and reservoir position, 24 bytes a
 * class) if they changed, and each reservoir slot taken since the last commit ({@code slot.<class>.<slot>}),
 * as it is then: a slot taken twice between commits is written once.
 */
final class RebalanceState {

  private static final String COUNTS = "counts";
  private static final String TEMPLATE = "template";

  private final KeyValueStore<String, byte[]> store;
  private final Oversampler sampler;
  private boolean countsChanged;
  /** Slots taken since the last write, per class. */
  private final java.util.BitSet[] takenSlots;
  private boolean slotsTaken;

  RebalanceState(CommitAlignedStore<byte[]> store, Oversampler sampler) {
    this.store = store.kv();
    this.sampler = sampler;
    this.takenSlots = new java.util.BitSet[sampler.balance().classes()];
    for (int c = 0; c < takenSlots.length; c++) {
      takenSlots[c] = new java.util.BitSet();
    }
    store.beforeCommit("rebalance", this::write);
  }

  /** The class counts changed: they are written at the next commit. */
  void countsChanged() {
    countsChanged = true;
  }

  /** The latest sample of class c took a reservoir slot: the slot is written at the next commit. */
  void sampleTaken(int c) {
    Reservoir res = sampler.reservoir(c);
    takenSlots[c].set((int) ((res.seen() - 1) % res.capacity()));
    slotsTaken = true;
  }

  private void write() {
    if (countsChanged) {
      ClassBalance b = sampler.balance();
      ByteBuffer buf = ByteBuffer.allocate(24 * b.classes());
      for (int c = 0; c < b.classes(); c++) {
        buf.putLong(b.real(c)).putLong(b.emitted(c)).putLong(sampler.reservoir(c).seen());
      }
      store.put(COUNTS, buf.array());
      countsChanged = false;
    }
    if (slotsTaken) {
      for (int c = 0; c < takenSlots.length; c++) {
        Reservoir res = sampler.reservoir(c);
        for (int slot = takenSlots[c].nextSetBit(0); slot >= 0; slot = takenSlots[c].nextSetBit(slot + 1)) {
          store.put("slot." + c + "." + slot, encode(res.get(slot)));
        }
        takenSlots[c].clear();
      }
      slotsTaken = false;
    }
  }

  /** The last real record, which settling synthetic records are built on (also after a restart). */
  void saveTemplate(dev.streamlearn.avro.ProcessedRecord r) {
    store.put(TEMPLATE, dev.streamlearn.schemas.Avro.PROCESSED.serializer().serialize(null, r));
  }

  dev.streamlearn.avro.ProcessedRecord template() {
    byte[] b = store.get(TEMPLATE);
    return b == null ? null : dev.streamlearn.schemas.Avro.PROCESSED.deserializer().deserialize(null, b);
  }

  void restore() {
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
