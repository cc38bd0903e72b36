package dev.streamlearn.streams.rebalance;

import dev.streamlearn.streams.CommitAlignedStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Mirrors an {@link Oversampler} (its class counts and reservoirs) in a key-value store, so a
 * restarted task continues exactly where it stopped. Written once per commit ({@link CommitAlignedStore}):
 * the counts of every class in one value ({@code counts}: real, emitted, reservoir position and target at
 * arrival, 32 bytes a class) if they changed, and each reservoir slot taken since the last commit ({@code slot.<class>.<slot>}),
 * as it is then: a slot taken twice between commits is written once.
 */
final class RebalanceState {

  private static final String COUNTS = "counts";
  private static final String TEMPLATE = "template";
  /** Per class in the counts value: real, emitted, the reservoir's position, the target at arrival. */
  private static final int COUNTS_BYTES = 32;

  private final KeyValueStore<String, byte[]> store;
  private final Oversampler sampler;
  private boolean countsChanged;
  /** Slots taken since the last write, per class. */
  private final java.util.BitSet[] takenSlots;
  private boolean slotsTaken;
  /** Slots past the ring's end after a shrink ({@link #refill}): deleted at the next commit. */
  private final java.util.List<String> staleSlots = new java.util.ArrayList<>();

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
      ByteBuffer buf = ByteBuffer.allocate(COUNTS_BYTES * b.classes());
      for (int c = 0; c < b.classes(); c++) {
        buf.putLong(b.real(c)).putLong(b.emitted(c)).putLong(sampler.reservoir(c).seen()).putLong(b.targetAtArrival(c));
      }
      store.put(COUNTS, buf.array());
      countsChanged = false;
    }
    staleSlots.forEach(store::delete);
    staleSlots.clear();
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
    int classes = sampler.balance().classes();
    // 24 bytes a class were written before the target at arrival was kept: a class with records then counts as present from the start.
    int width = counts.length == COUNTS_BYTES * classes ? COUNTS_BYTES : counts.length == 24 * classes ? 24 : -1;
    if (width < 0) {
      // The resolver refuses another label list over existing state; this is the last line, with a message.
      throw new IllegalStateException("the rebalance state's counts (" + counts.length + " bytes) are not of the spec's " + classes
          + " classes: the state was built with another label list (run 'streamlearn replay --respec --yes')");
    }
    ByteBuffer buf = ByteBuffer.wrap(counts);
    long[] seen = new long[classes];
    for (int c = 0; c < seen.length; c++) {
      sampler.balance().restore(c, buf.getLong(), buf.getLong());
      seen[c] = buf.getLong();
      if (width == COUNTS_BYTES) {
        sampler.balance().restoreTargetAtArrival(c, buf.getLong());
      }
    }
    java.util.List<java.util.TreeMap<Integer, Reservoir.Sample>> slots = new java.util.ArrayList<>();
    for (int c = 0; c < classes; c++) {
      slots.add(new java.util.TreeMap<>());
    }
    try (KeyValueIterator<String, byte[]> it = store.prefixScan("slot.", new org.apache.kafka.common.serialization.StringSerializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        String[] parts = kv.key.split("\\.");
        slots.get(Integer.parseInt(parts[1])).put(Integer.parseInt(parts[2]), decode(kv.value));
      }
    }
    for (int c = 0; c < classes; c++) {
      Reservoir res = sampler.reservoir(c);
      java.util.TreeMap<Integer, Reservoir.Sample> kept = slots.get(c);
      if (kept.isEmpty()) {
        continue;
      }
      int n = kept.size();
      if (kept.lastKey() < res.capacity() && n == Math.min(seen[c], res.capacity())) {
        long seenSoFar = seen[c];
        kept.forEach((slot, sample) -> res.restore(slot, sample, seenSoFar));
      } else {
        refill(c, res, kept, seen[c]);
      }
    }
  }

  /**
   * The ring was written under another {@code rebalance.reservoir.size}: its slots no longer say where the next sample
   * goes (grown: the ring claims slots it never filled; shrunk: slots past its end). The old ring was full when it
   * holds fewer samples than it saw, its oldest sample then in the slot the next would take; so its samples are
   * added again oldest first, the newest {@code capacity} staying, and each slot is written again (the ones past the
   * new end deleted) at the next commit.
   */
  private void refill(int c, Reservoir res, java.util.TreeMap<Integer, Reservoir.Sample> kept, long seenBefore) {
    int n = kept.size();
    java.util.List<Reservoir.Sample> byAge = new java.util.ArrayList<>(kept.values());
    int oldest = seenBefore > n ? (int) (seenBefore % n) : 0;
    java.util.Collections.rotate(byAge, -oldest);
    byAge.forEach(res::add);
    for (int slot : kept.keySet()) {
      if (slot >= res.capacity()) {
        staleSlots.add("slot." + c + "." + slot);
      }
    }
    takenSlots[c].set(0, res.size());
    slotsTaken = true;
    countsChanged = true;
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
