package dev.streamlearn.streams;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Named counters in a state store, so they are restored with the task and committed atomically
 * with the records they count (exactly-once). Each processor writes its own names; {@link
 * StatsReporter} reads them all.
 */
public final class Counters {

  private final KeyValueStore<String, Long> store;

  public Counters(KeyValueStore<String, Long> store) {
    this.store = store;
  }

  public void increment(String name) {
    add(name, 1);
  }

  public void add(String name, long n) {
    Long v = store.get(name);
    store.put(name, (v == null ? 0 : v) + n);
  }
}
