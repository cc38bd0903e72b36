package dev.streamlearn.streams;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store whose writers keep their state in memory and write it once per commit, just before
 * Kafka Streams flushes the record cache into the changelog.
 *
 * <p>Why: counters, the normalizer's statistics and the oversampler's counts change on every record, and
 * a put (serialize the key and value, take the cache's lock, update its LRU) cost about a fifth of the
 * stream thread's time even with the record cache collapsing the changelog writes. What the changelog
 * must hold is only the state as of each commit, in the same transaction as the offsets and the output
 * it explains; so each writer registers a {@link #beforeCommit} action that writes what changed since
 * the last one. State lost in a crash between commits is lost together with the aborted transaction's
 * output, and the restarted processor reads the last committed state back from the store.
 *
 * <p>The hook is the task's cache flush ({@code CachedStateStore.flushCache}, called first in
 * {@code StreamTask.prepareCommit}; an internal interface of Kafka Streams, pinned with the version).
 * Reads that must see every write of the open transaction (a stats report) call {@link #writePending}
 * first. Processors open this store with {@link #open} (it is not a {@link KeyValueStore}, so the context hands it
 * over undecorated) and read and write through {@link #kv}.
 *
 * <p>Two consequences of the wrapper: the stores cannot be read by interactive queries of the first kind
 * ({@code KafkaStreams.store(...keyValueStore())} does not accept them; nothing here uses them), and a writer that
 * throws fails the commit ({@code ProcessorStateException: Failed to flush cache of store ...}) rather than one record,
 * so writers only serialize values they made themselves.
 */
public final class CommitAlignedStore<V> extends WrappedStateStore<KeyValueStore<String, V>, String, V> {

  private final Map<String, Runnable> writers = new LinkedHashMap<>();

  CommitAlignedStore(KeyValueStore<String, V> inner) {
    super(inner);
  }

  /** The store itself, for reads and for the writes a writer makes before a commit. */
  public KeyValueStore<String, V> kv() {
    return wrapped();
  }

  /**
   * Registers (or replaces) {@code owner}'s action that writes its pending state into {@link #kv}; it runs
   * before every commit and whenever {@link #writePending} is called, and must be cheap when nothing changed.
   */
  public void beforeCommit(String owner, Runnable write) {
    writers.put(owner, write);
  }

  /** Runs every writer's action now, so reads of {@link #kv} see the open transaction's state. */
  public void writePending() {
    for (Runnable w : writers.values()) {
      w.run();
    }
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    // A revived task re-initializes its stores before its processors: writers of the previous life must go.
    writers.clear();
    super.init(context, root);
  }

  @Override
  public void flushCache() {
    writePending();
    super.flushCache();
  }

  @Override
  public void close() {
    writers.clear();
    super.close();
  }

  /** The store of {@code name} in a processor's context, as a commit-aligned store. */
  @SuppressWarnings("unchecked")
  public static <V> CommitAlignedStore<V> open(org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> context, String name) {
    StateStore s = context.getStateStore(name);
    if (!(s instanceof CommitAlignedStore<?> aligned)) {
      throw new IllegalStateException("state store " + name + " is a " + s.getClass().getName() + ", not a CommitAlignedStore: build it with CommitAlignedStore.builder");
    }
    return (CommitAlignedStore<V>) aligned;
  }

  /** Builds {@code inner}'s store wrapped in a commit-aligned one (name, caching and changelog as {@code inner} says). */
  public static <V> StoreBuilder<CommitAlignedStore<V>> builder(StoreBuilder<KeyValueStore<String, V>> inner) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<CommitAlignedStore<V>> withCachingEnabled() {
        inner.withCachingEnabled();
        return this;
      }

      @Override
      public StoreBuilder<CommitAlignedStore<V>> withCachingDisabled() {
        inner.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<CommitAlignedStore<V>> withLoggingEnabled(Map<String, String> config) {
        inner.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<CommitAlignedStore<V>> withLoggingDisabled() {
        inner.withLoggingDisabled();
        return this;
      }

      @Override
      public CommitAlignedStore<V> build() {
        return new CommitAlignedStore<>(inner.build());
      }

      @Override
      public Map<String, String> logConfig() {
        return inner.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return inner.loggingEnabled();
      }

      @Override
      public String name() {
        return inner.name();
      }
    };
  }
}
