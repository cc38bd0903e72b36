package dev.streamlearn.streams;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Named counters in a state store, so they are restored with the task and committed atomically
 * with the records they count (exactly-once). Each processor writes its own names; {@link
 * StatsReporter} reads them all.
 */
public final class Counters {

  private final KeyValueStore<String, Long> store;
  private final java.util.Map<String, long[]> values = new java.util.HashMap<>();

  public Counters(KeyValueStore<String, Long> store) {
    this.store = store;
  }

  public void increment(String name) {
    add(name, 1);
  }

  /** Reads a counter from the store once, then writes through: one cached put per increment, no get. */
  public void add(String name, long n) {
    long[] v = cell(name, 0);
    v[0] += n;
    store.put(name, v[0]);
  }

  /** A gauge: writes only when the value changes. */
  public void set(String name, long value) {
    long[] v = cell(name, Long.MIN_VALUE);
    if (v[0] != value) {
      v[0] = value;
      store.put(name, value);
    }
  }

  /** The cached value of a name, read from the store the first time; {@code absent} if the store has none. */
  private long[] cell(String name, long absent) {
    return values.computeIfAbsent(name, k -> {
      Long stored = store.get(k);
      return new long[] {stored == null ? absent : stored};
    });
  }
}
