package dev.streamlearn.streams.dedup;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops records whose key (id or content hash) was seen within the retention window of event
 * time. Exactly-once processing does not make this redundant: producers retry, upstream systems
 * resend, and operators replay, all of which create new records with old ids.
 *
 * <p>The ids live in a segmented RocksDB window store whose time is the records' event time
 * (written explicitly, not taken from Kafka timestamps): segments older than the retention are
 * dropped whole, so the store stays bounded by the window, not by the stream's length.
 *
 * <p>A Bloom filter in front of the store ({@link SeenIds}) answers "never seen" for most new ids without
 * touching RocksDB. It is built from the store itself whenever the processor starts (after a restore,
 * a rebalance or an aborted transaction's revival, so it always covers what the store holds); every key
 * put into the store is added, and it grows by layers (when full, and by event time), with no pass over the store.
 */
public final class DedupProcessor implements Processor<String, LabeledRecord, String, LabeledRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(DedupProcessor.class);
  /** Smallest filter layer: 64 Ki keys take 77 KB (rounded up to 128 KB) at a 1% false-positive rate. */
  static final long MIN_FILTER_CAPACITY = 1 << 16;

  private final long retentionMs;
  /**
   * The store's segment: Kafka Streams' default for a window store of this retention (half of it, at least a minute).
   * The filter's layers are cut at the same slices of event time, so the live ones cover the window, a segment and
   * the newest slice.
   */
  private final long segmentMs;
  /** How far behind the newest event time a filter layer's keys must all be before it goes: the window and a segment. */
  private final long forgetAfterMs;
  private final long minFilterCapacity;
  private final boolean forgetting;
  private SeenIds filter;
  /** Newest event time seen by this task: ids older than it minus the retention are outside the window. */
  private long newestEventTime = Long.MIN_VALUE;
  private ProcessorContext<String, LabeledRecord> context;
  private WindowStore<String, Long> seen;
  private Counters counters;

  public DedupProcessor(long retentionMs) {
    this(retentionMs, MIN_FILTER_CAPACITY);
  }

  /** @param minFilterCapacity the filter's smallest layer (tests make it tiny to force many layers) */
  DedupProcessor(long retentionMs, long minFilterCapacity) {
    this(retentionMs, minFilterCapacity, true);
  }

  /** @param forgetting false: no layer is cut by time or dropped (one filter too large to fill is then a reference for tests) */
  DedupProcessor(long retentionMs, long minFilterCapacity, boolean forgetting) {
    this.retentionMs = retentionMs;
    this.segmentMs = Math.max(retentionMs / 2, 60_000L);
    this.forgetAfterMs = saturatedPlus(retentionMs, segmentMs);
    this.minFilterCapacity = minFilterCapacity;
    this.forgetting = forgetting;
  }

  @Override
  public void init(ProcessorContext<String, LabeledRecord> context) {
    this.context = context;
    this.seen = context.getStateStore(Stores.DEDUP);
    this.counters = new Counters(CommitAlignedStore.open(context, Stores.COUNTERS), "dedup");
    this.newestEventTime = Long.MIN_VALUE;
    this.filter = filterOfStore();
  }

  /**
   * A filter over every key in the store: one pass counts, a second adds, so no array of keys is held. The first layer
   * has room for twice the store's keys; the pass reads the store segment by segment, so it cuts a layer at each slice
   * boundary, and the layers after the first are sized as time cuts are (a quarter more than the one before got, twice
   * as much if that fills). Only at start-up: it runs inside the task's first transaction, and its time is logged,
   * since two passes over a store of many millions of keys approach the exactly-once producer's transaction timeout
   * (10 s by default).
   */
  private SeenIds filterOfStore() {
    long start = System.nanoTime();
    long n = 0;
    try (var all = seen.all()) {
      for (; all.hasNext(); all.next()) {
        n++;
      }
    }
    SeenIds f = new SeenIds(2 * n, minFilterCapacity, forgetting ? segmentMs : Long.MAX_VALUE);
    try (var all = seen.all()) {
      while (all.hasNext()) {
        var key = all.next().key;
        f.add(SeenIdFilter.hash(key.key()), key.window().start());
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    LOG.atLevel(ms >= 1000 ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
        .log("dedup filter over {} stored keys built in {} ms: {} bytes", f.added(), ms, f.sizeBytes());
    return f;
  }

  @Override
  public void process(Record<String, LabeledRecord> record) {
    long ts = record.value().getTs();
    long hash = SeenIdFilter.hash(record.key());
    if (filter.mightContain(hash) && isDuplicate(record.key(), ts)) {
      counters.increment("duplicates");
      return;
    }
    rememberNewEvent(record.key(), hash, ts);
    counters.increment("unique");
    context.forward(record);
  }

  /** {@code a + b} for b >= 0, or Long.MAX_VALUE where that would overflow. */
  static long saturatedPlus(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  /** {@code a - b} for b >= 0, or Long.MIN_VALUE where that would overflow (a cutoff that drops nothing). */
  static long saturatedMinus(long a, long b) {
    return a < Long.MIN_VALUE + b ? Long.MIN_VALUE : a - b;
  }

  private boolean isDuplicate(String key, long eventTime) {
    long from = eventTime - retentionMs;
    long to = saturatedPlus(eventTime, retentionMs);
    try (WindowStoreIterator<Long> it = seen.fetch(key, Math.max(0, from), to)) {
      return it.hasNext();
    }
  }

  private void rememberNewEvent(String key, long hash, long eventTime) {
    newestEventTime = Math.max(newestEventTime, eventTime);
    if (eventTime > newestEventTime - retentionMs) {
      // An event already older than the window would land in an expired segment: the store drops it anyway.
      long storedAt = Math.max(0, eventTime);
      // The filter first: if it throws, no stored id is left whose record was never forwarded (a filter entry with no
      // stored key is only a false positive).
      filter.add(hash, storedAt);
      seen.put(key, eventTime, storedAt);
      // The store returns no key older than its stream time less the window (and drops whole segments of such keys a
      // segment later); newestEventTime is never ahead of that stream time. A layer whose keys are all older than the
      // window and a segment before it holds only keys the store will not return: it can go.
      if (forgetting) {
        filter.expireBefore(saturatedMinus(newestEventTime, forgetAfterMs));
      }
    }
  }
}
