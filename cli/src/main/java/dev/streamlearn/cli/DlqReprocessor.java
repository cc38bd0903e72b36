package dev.streamlearn.cli;

import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.core.AcknowledgedWrites;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * newest dead letter (the highest count) is sent. Dead letters whose original was withheld
 * ({@code pii.fields}) cannot be sent back and are counted apart.
 */
final class DlqReprocessor {

  static final String HEADER = "streamlearn.reprocessed";

  /** One record to send back: its id (null if it has none), original bytes, reason, and how often it was sent back before. */
  record Letter(String id, byte[] original, String reason, int reprocessed, long rejectedAt) {}

  /** @param entries dead letters matching the selection; @param withheld of those, how many have no original to send */
  record Plan(List<Letter> letters, int entries, int withheld) {
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

  /** @param reason a reason code or null for all; @param ids ids to send back, or empty for all */
  Plan plan(String reason, Set<String> ids) {
    Map<String, Letter> newest = new LinkedHashMap<>();
    int[] entries = {0};
    int[] withheld = {0};
    new TopicReader(clients).readAll(clients.config().topic(TopicName.DLQ), rec -> {
      RejectedRecord r;
      try {
        r = UntrustedBytes.decode(Avro.REJECTED, rec.value());
      } catch (RuntimeException e) {
        return; // not a dead letter of ours
      }
      byte[] original = new byte[r.getOriginal().remaining()];
      r.getOriginal().duplicate().get(original);
      byte[] key = IdKey.of(original);
      String id = key == null ? null : new String(key, StandardCharsets.UTF_8);
      if ((reason != null && !reason.equalsIgnoreCase(r.getReason())) || (!ids.isEmpty() && !ids.contains(id))) {
        return;
      }
      entries[0]++;
      if (original.length == 0) {
        withheld[0]++;
        return;
      }
      Letter l = new Letter(id, original, r.getReason(), reprocessed(rec), r.getRejectedAt());
      String identity = id != null ? "id:" + id : "sha256:" + Snapshot.sha256(original);
      newest.merge(identity, l, (a, b) -> b.reprocessed() > a.reprocessed() || (b.reprocessed() == a.reprocessed() && b.rejectedAt() > a.rejectedAt()) ? b : a);
    });
    List<Letter> letters = new ArrayList<>(newest.values());
    letters.sort(Comparator.comparingLong(Letter::rejectedAt));
    return new Plan(letters, entries[0], withheld[0]);
  }

  /** Sends every letter of the plan to records.raw with its count one higher; returns once the broker acknowledged each. */
  int send(Plan plan) {
    String raw = clients.config().topic(TopicName.RAW);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (Letter l : plan.letters()) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(new RecordHeader(HEADER, Integer.toString(l.reprocessed() + 1).getBytes(StandardCharsets.UTF_8)));
      records.add(new ProducerRecord<>(raw, null, IdKey.of(l.original()), l.original(), headers));
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
