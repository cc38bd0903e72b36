package dev.streamlearn.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Named counters in a state store, so they are restored with the task and committed atomically
 * with the records they count (exactly-once). Each processor writes its own names; {@link
 * StatsReporter} reads them all.
 *
 * <p>Increments stay in memory and reach the store once per commit ({@link CommitAlignedStore}): about
 * ten counters move per record, and one store put each cost more than the rest of the counting.
 */
public final class Counters {

  private final KeyValueStore<String, Long> store;
  private final Map<String, Cell> cells = new HashMap<>();
  private final List<Cell> dirty = new ArrayList<>();

  /**
   * Counters of {@code owner} in {@code store}. The owner names this instance's commit writer: it must be unique per
   * store (a stage's name), since a second instance of the same owner replaces the first one's writer, as a restarted
   * processor should.
   */
  public Counters(CommitAlignedStore<Long> store, String owner) {
    this.store = store.kv();
    store.beforeCommit(owner, this::write);
  }

  public void increment(String name) {
    add(name, 1);
  }

  /** Reads a counter from the store once, then counts in memory. */
  public void add(String name, long n) {
    Cell c = cell(name, 0);
    c.value += n;
    markDirty(c);
  }

  /** A gauge: written only when the value changes. */
  public void set(String name, long value) {
    Cell c = cell(name, Long.MIN_VALUE);
    if (c.value != value) {
      c.value = value;
      markDirty(c);
    }
  }

  private void markDirty(Cell c) {
    if (!c.dirty) {
      c.dirty = true;
      dirty.add(c);
    }
  }

  private void write() {
    for (Cell c : dirty) {
      store.put(c.name, c.value);
      c.dirty = false;
    }
    dirty.clear();
  }

  /** The value of a name, read from the store the first time; {@code absent} if the store has none. */
  private Cell cell(String name, long absent) {
    Cell c = cells.get(name);
    if (c == null) {
      Long stored = store.get(name);
      c = new Cell(name, stored == null ? absent : stored);
      cells.put(name, c);
    }
    return c;
  }

  private static final class Cell {
    final String name;
    long value;
    boolean dirty;

    Cell(String name, long value) {
      this.name = name;
      this.value = value;
    }
  }
}
