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

/**
 * Drops records whose key (id or content hash) was seen within the retention window of event
 * time. Exactly-once processing does not make this redundant: producers retry, upstream systems
 * resend, and operators replay, all of which create new records with old ids.
 *
 * <p>The ids live in a segmented RocksDB window store whose time is the records' event time
 * (written explicitly, not taken from Kafka timestamps): segments older than the retention are
 * dropped whole, so the store stays bounded by the window, not by the stream's length.
 */
public final class DedupProcessor implements Processor<String, LabeledRecord, String, LabeledRecord> {

  private final long retentionMs;
  /** Newest event time seen by this task: ids older than it minus the retention are outside the window. */
  private long newestEventTime = Long.MIN_VALUE;
  private ProcessorContext<String, LabeledRecord> context;
  private WindowStore<String, Long> seen;
  private Counters counters;

  public DedupProcessor(long retentionMs) {
    this.retentionMs = retentionMs;
  }

  @Override
  public void init(ProcessorContext<String, LabeledRecord> context) {
    this.context = context;
    this.seen = context.getStateStore(Stores.DEDUP);
    this.counters = new Counters(CommitAlignedStore.open(context, Stores.COUNTERS), "dedup");
  }

  @Override
  public void process(Record<String, LabeledRecord> record) {
    long ts = record.value().getTs();
    if (isDuplicate(record.key(), ts)) {
      counters.increment("duplicates");
      return;
    }
    rememberNewEvent(record.key(), ts);
    counters.increment("unique");
    context.forward(record);
  }

  private boolean isDuplicate(String key, long eventTime) {
    long from = eventTime - retentionMs;
    long to = eventTime > Long.MAX_VALUE - retentionMs ? Long.MAX_VALUE : eventTime + retentionMs;
    try (WindowStoreIterator<Long> it = seen.fetch(key, Math.max(0, from), to)) {
      return it.hasNext();
    }
  }

  private void rememberNewEvent(String key, long eventTime) {
    newestEventTime = Math.max(newestEventTime, eventTime);
    if (eventTime > newestEventTime - retentionMs) {
      // An event already older than the window would land in an expired segment: the store drops it anyway.
      seen.put(key, eventTime, Math.max(0, eventTime));
    }
  }
}
