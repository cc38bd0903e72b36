package dev.streamlearn.cli;

import dev.streamlearn.core.IdKey;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.core.AcknowledgedWrites;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.streams.clean.CleanProcessor;
import dev.streamlearn.streams.clean.RejectReason;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.TreeSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters back in: selects records on records.dlq (by reason, by id) and sends their original
 * bytes to records.raw, keyed by their id exactly as {@code produce} keys them ({@link IdKey}), so the
 * dedup stage still recognises a record that was accepted meanwhile: reprocessing twice never trains
 * on a record twice.
 *
 * <p>Each sent record carries the header {@value #HEADER}: how many times it has been sent back,
 * one more than its dead letter's own header. Kafka Streams carries a record's headers to what it
 * writes, so when the clean stage rejects the record again, its new dead letter keeps the count.
 *
 * <p>A record dead-lettered several times (sent back, rejected again) is one record: only its
 * newest dead letter (the highest count) stands for it, and the selection by reason and by id is
 * made on that one (an id rejected first as MISSING_FEATURE, then as UNKNOWN_LABEL, is an
 * UNKNOWN_LABEL). Dead letters written while {@code pii.fields} was set ({@link CleanProcessor#PII_HEADER})
 * are never sent: their original is scrubbed (not the record as it arrived) or withheld. Both are
 * counted apart, as are DLQ records that are not dead letters (unreadable, tombstones).
 */
final class DlqReprocessor {

  static final String HEADER = "streamlearn.reprocessed";

  /** What a dead letter's original is. */
  enum Original { AS_ARRIVED, PII_SCRUBBED, PII_WITHHELD }

  /**
   * One dead letter: its record's id (null if it has none), original bytes, reason, how often it was sent back
   * before, and the Kafka timestamp of the dead letter (the clean stage keeps its source record's timestamp).
   */
  record Letter(String id, byte[] original, String reason, int reprocessed, long rejectedAt, long timestamp, Original kind) {}

  /**
   * @param letters what will be sent back; @param entries dead letters of the selected records (older ones included)
   * @param scrubbed, withheld selected records that cannot be sent (pii.fields); @param unreadable, tombstones DLQ records that
   * are no dead letter; @param unmatchedIds ids asked for that no dead letter has
   */
  record Plan(List<Letter> letters, int entries, int scrubbed, int withheld, int unreadable, int tombstones, List<String> unmatchedIds) {
    Map<String, Long> byReason() {
      Map<String, Long> m = new TreeMap<>();
      letters.forEach(l -> m.merge(l.reason(), 1L, Long::sum));
      return m;
    }
  }

  private final KafkaClients clients;

  DlqReprocessor(KafkaClients clients) {
    this.clients = clients;
  }

  /** The reason codes a dead letter can carry. */
  static List<String> reasons() {
    return Arrays.stream(RejectReason.values()).map(Enum::name).toList();
  }

  /** @param reason a reason code ({@link #reasons()}) or null for all; @param ids ids to send back, or empty for all */
  Plan plan(String reason, Set<String> ids) {
    Set<String> wanted = new TreeSet<>();
    ids.forEach(i -> {
      if (!i.isBlank()) {
        wanted.add(i.trim());
      }
    });
    boolean piiNow = !clients.config().getList(StreamlearnConfig.PII_FIELDS).isEmpty();
    Map<String, Letter> newest = new LinkedHashMap<>();
    Map<String, Integer> lettersPerRecord = new HashMap<>();
    int[] unreadable = {0};
    int[] tombstones = {0};
    new TopicReader(clients).readAll(clients.config().topic(TopicName.DLQ), rec -> {
      if (rec.value() == null) {
        tombstones[0]++;
        return;
      }
      RejectedRecord r;
      try {
        r = UntrustedBytes.decode(Avro.REJECTED, rec.value());
      } catch (RuntimeException e) {
        unreadable[0]++;
        return;
      }
      byte[] original = new byte[r.getOriginal().remaining()];
      r.getOriginal().duplicate().get(original);
      Original kind = kind(rec, r, piiNow);
      byte[] key = kind == Original.PII_WITHHELD ? null : IdKey.of(original);
      String id = key == null ? null : new String(key, StandardCharsets.UTF_8);
      Letter l = new Letter(id, original, r.getReason(), reprocessed(rec), r.getRejectedAt(), rec.timestamp(), kind);
      // A withheld original has no id and no bytes to tell records apart: each such dead letter is its own.
      String identity = id != null ? "id:" + id
          : kind == Original.PII_WITHHELD ? "dlq:" + rec.partition() + "@" + rec.offset() : "sha256:" + Snapshot.sha256(original);
      lettersPerRecord.merge(identity, 1, Integer::sum);
      newest.merge(identity, l, (a, b) -> b.reprocessed() > a.reprocessed() || (b.reprocessed() == a.reprocessed() && b.rejectedAt() > a.rejectedAt()) ? b : a);
    });
    List<Letter> letters = new ArrayList<>();
    Set<String> matched = new HashSet<>();
    int entries = 0;
    int scrubbed = 0;
    int withheld = 0;
    for (Map.Entry<String, Letter> e : newest.entrySet()) {
      Letter l = e.getValue();
      if (l.id() != null && wanted.contains(l.id())) {
        matched.add(l.id());
      }
      if ((reason != null && !reason.equalsIgnoreCase(l.reason())) || (!wanted.isEmpty() && (l.id() == null || !wanted.contains(l.id())))) {
        continue;
      }
      entries += lettersPerRecord.get(e.getKey());
      switch (l.kind()) {
        case PII_SCRUBBED -> scrubbed++;
        case PII_WITHHELD -> withheld++;
        case AS_ARRIVED -> letters.add(l);
      }
    }
    letters.sort(Comparator.comparingLong(Letter::rejectedAt));
    List<String> unmatched = wanted.stream().filter(i -> !matched.contains(i)).toList();
    return new Plan(letters, entries, scrubbed, withheld, unreadable[0], tombstones[0], unmatched);
  }

  /**
   * From the dead letter's header; a dead letter from before the header existed counts as withheld when its
   * message says so, and as scrubbed when this configuration sets pii.fields (it may have been scrubbed).
   */
  private static Original kind(ConsumerRecord<byte[], byte[]> rec, RejectedRecord r, boolean piiNow) {
    Header h = rec.headers().lastHeader(CleanProcessor.PII_HEADER);
    if (h != null && h.value() != null) {
      String v = new String(h.value(), StandardCharsets.UTF_8);
      return v.equals(CleanProcessor.PII_WITHHELD) ? Original.PII_WITHHELD : Original.PII_SCRUBBED; // an unknown mark: not as it arrived either
    }
    if (r.getMessage() != null && r.getMessage().contains("(original withheld: pii.fields")) {
      return Original.PII_WITHHELD;
    }
    return piiNow ? Original.PII_SCRUBBED : Original.AS_ARRIVED;
  }

  /**
   * Sends every letter of the plan to records.raw with its count one higher and its dead letter's
   * timestamp (its source record's, so event-time windows see it where it was); returns once the
   * broker acknowledged each.
   */
  int send(Plan plan) {
    String raw = clients.config().topic(TopicName.RAW);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (Letter l : plan.letters()) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(new RecordHeader(HEADER, Integer.toString(l.reprocessed() + 1).getBytes(StandardCharsets.UTF_8)));
      records.add(new ProducerRecord<>(raw, null, l.timestamp() >= 0 ? l.timestamp() : null, IdKey.of(l.original()), l.original(), headers));
    }
    AcknowledgedWrites.send(clients, records);
    return records.size();
  }

  /** The count a dead letter carries (0 if it was never sent back, or the header is not a number). */
  static int reprocessed(ConsumerRecord<byte[], byte[]> rec) {
    Header h = rec.headers().lastHeader(HEADER);
    if (h == null || h.value() == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8).trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
