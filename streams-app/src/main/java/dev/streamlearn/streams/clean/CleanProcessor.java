package dev.streamlearn.streams.clean;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.streams.CommitAlignedStore;
import dev.streamlearn.streams.Counters;
import dev.streamlearn.streams.Stores;
import dev.streamlearn.streams.dedup.DedupKey;
import dev.streamlearn.streams.dedup.DedupPlacement;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The clean stage: every raw record becomes a valid record keyed by its dedup key, or a
 * rejection carrying its original bytes and where it came from. Nothing is dropped and nothing
 * throws: an unexpected failure, an {@link Error} included, is itself a rejection (UNPROCESSABLE).
 */
public final class CleanProcessor implements Processor<byte[], byte[], String, CleanOutcome> {

  /**
   * Header of a dead letter written while {@code pii.fields} was set: {@value #PII_SCRUBBED} (its
   * original holds the scrubbed bytes, not the record as it arrived) or {@value #PII_WITHHELD} (it
   * holds none). Absent: the original is the record exactly as it arrived.
   */
  public static final String PII_HEADER = "streamlearn.pii";

  public static final String PII_SCRUBBED = "scrubbed";
  public static final String PII_WITHHELD = "withheld";

  private final Cleaner cleaner;
  private final DedupKey dedupKey;
  private final DedupPlacement placement;
  private ProcessorContext<String, CleanOutcome> context;
  private Counters counters;
  /**
   * The first unknown-label messages logged in this JVM: each once, and a bounded number, whatever the input or the
   * number of tasks (their records are counted and kept on records.dlq anyway; 'status' explains them).
   */
  private static final java.util.Set<String> unknownLabelsLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final int MAX_UNKNOWN_LABELS_LOGGED = 3; // junk labels rarely repeat: more lines would be noise, and status counts them all
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CleanProcessor.class);

  public CleanProcessor(Cleaner cleaner, DedupKey dedupKey, DedupPlacement placement) {
    this.cleaner = cleaner;
    this.dedupKey = dedupKey;
    this.placement = placement;
  }

  @Override
  public void init(ProcessorContext<String, CleanOutcome> context) {
    this.context = context;
    this.counters = new Counters(CommitAlignedStore.open(context, Stores.CLEAN_COUNTERS), "clean");
  }

  /**
   * A label is the producer's text: no control or format characters in the log (line breaks, U+2028/2029, bidi
   * overrides such as U+202E that reorder what a reader sees), and at most 300 characters of it.
   */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(300).forEach(cp -> {
      int type = Character.getType(cp);
      if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return s.codePointCount(0, s.length()) > 300 ? b + "..." : b.toString();
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    counters.increment("raw");
    Cleaner.Result result;
    try {
      result = cleaner.clean(record.value(), record.timestamp());
    } catch (Throwable e) {
      // Errors included: an OutOfMemoryError or StackOverflowError caused by one record must not kill
      // the app, or the same record would kill it again after every restart. Cleaning is pure, so
      // nothing is left half-done; the failed allocation itself is already gone.
      result = new Cleaner.Result(null, new Rejection(RejectReason.UNPROCESSABLE, "clean stage failed: " + e.getClass().getName()));
    }
    if (result.record() != null) {
      LabeledRecord valid = result.record();
      String key = dedupKey.of(valid);
      boolean placed = placement.enabled() && placement.alreadyPlaced(record.key(), key, context.recordMetadata().orElseThrow().partition());
      context.forward(record.withKey(key).withValue(new CleanOutcome(valid, null, placed)));
      return;
    }
    Rejection r = result.rejection();
    counters.increment("dlq." + r.reason().name());
    RecordMetadata md = context.recordMetadata().orElseThrow();
    // With pii.fields set the DLQ keeps only what could be scrubbed, and never the producer's key (it may be one).
    PiiScrubber pii = cleaner.pii();
    Optional<byte[]> original = pii.scrubOriginal(record.value() == null ? new byte[0] : record.value());
    String message = pii.safeMessage(r.message());
    String shown;
    if (r.reason() == RejectReason.UNKNOWN_LABEL && unknownLabelsLogged.size() < MAX_UNKNOWN_LABELS_LOGGED
        && unknownLabelsLogged.add(shown = printable(message))) {
      // A class the spec lacks is rejected for good, and silently but for a count: say it once (INFO: the DLQ is where
      // such records belong, and a dirty stream has some; WARN is for what went wrong).
      log.info("task {}: records go to records.dlq as UNKNOWN_LABEL ({}); a class the spec lacks (seen in fewer than dataset.label.min.records of the records it was "
          + "inferred from, or first arriving after it was pinned) is not learnt: see 'streamlearn status'{}", context.taskId(), shown,
          unknownLabelsLogged.size() == MAX_UNKNOWN_LABELS_LOGGED ? "; further unknown labels are counted, not logged" : "");
    }
    if (original.isEmpty()) {
      message += " (original withheld: pii.fields is set and it could not be scrubbed; " + PiiScrubber.fingerprint(record.value()) + ")";
    }
    RejectedRecord rejected = RejectedRecord.newBuilder()
        .setOriginal(ByteBuffer.wrap(original.orElse(new byte[0])))
        .setOriginalKey(record.key() == null || pii.active() ? null : ByteBuffer.wrap(record.key()))
        .setReason(r.reason().name()).setMessage(message)
        .setSourceTopic(md.topic()).setSourcePartition(md.partition()).setSourceOffset(md.offset())
        .setRejectedAt(System.currentTimeMillis()).build();
    // Marked, so that nothing sends the scrubbed bytes back as if they were the record (dlq reprocess refuses them).
    org.apache.kafka.common.header.Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders(record.headers().toArray());
    headers.remove(PII_HEADER);
    if (pii.active()) {
      headers.add(PII_HEADER, (original.isEmpty() ? PII_WITHHELD : PII_SCRUBBED).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    context.forward(record.withKey(r.reason().name()).withValue(new CleanOutcome(null, rejected, false)).withHeaders(headers));
  }
}
