package dev.streamlearn.client;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.client.snapshot.SnapshotSigner;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background thread that tails model.current (read_committed, no consumer group: every client sees
 * every pointer) and hands on the latest pointer of one model whose signature verifies. It first
 * reads up to the end offsets it found at start, so a client starting late loads the current version
 * once rather than every version the compacted topic still remembers. Pointers that do not verify
 * are skipped with a warning; a tombstone changes nothing (the served version stays).
 */
final class PointerFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PointerFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** How long after a failed load (broker unreachable, say) the same pointer is tried again. */
  private static final long RETRY_NANOS = Duration.ofSeconds(5).toNanos();

  private final KafkaClients clients;
  private final String model;
  private final SnapshotSigner signer;
  private final Predicate<ModelPointer> onPointer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private volatile long untrustedSkipped;

  /**
   * @param onPointer called on the follower thread with each newer trusted pointer once caught up; returns false when
   *     the load failed in a way worth retrying (the same pointer is offered again a few seconds later)
   */
  PointerFollower(KafkaClients clients, String model, Predicate<ModelPointer> onPointer) {
    this.clients = clients;
    this.model = model;
    this.signer = SnapshotSigner.of(clients.config()); // no key: fail now, on the caller's thread
    this.onPointer = onPointer;
    this.consumer = clients.consumer();
    this.thread = new Thread(this::run, "streamlearn-follow-" + model);
    this.thread.setDaemon(true);
  }

  void start() {
    started = true;
    thread.start();
  }

  /** Pointers of this model skipped because their signature did not verify. */
  long untrustedSkipped() {
    return untrustedSkipped;
  }

  private void run() {
    try {
      String topic = clients.config().topic(TopicName.CURRENT);
      List<TopicPartition> parts = TopicReader.partitions(consumer, topic);
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> catchUp = new HashMap<>(consumer.endOffsets(parts));
      ModelPointer latest = null;
      long handed = Long.MIN_VALUE;
      long retryAt = System.nanoTime();
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          ModelPointer p = trusted(r);
          if (p != null) {
            latest = p;
          }
        }
        if (TopicReader.caughtUp(consumer, catchUp) && latest != null && latest.getVersion() != handed
            && System.nanoTime() - retryAt >= 0) {
          if (onPointer.test(latest)) {
            handed = latest.getVersion();
          } else {
            retryAt = System.nanoTime() + RETRY_NANOS;
          }
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      log.error("stopped following {} for model {}: {}", clients.config().topic(TopicName.CURRENT), model, e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /** The record's pointer if it is one of this model's and verifies; null otherwise. */
  private ModelPointer trusted(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null || r.value() == null || !model.equals(new String(r.key(), StandardCharsets.UTF_8))) {
      return null;
    }
    try {
      ModelPointer p = UntrustedBytes.decode(Avro.POINTER, r.value());
      if (model.equals(p.getModel()) && signer.verifies(p)) {
        return p;
      }
      untrustedSkipped++;
      log.warn("skipping the pointer at {}-{}@{}: its signature does not verify", r.topic(), r.partition(), r.offset());
    } catch (RuntimeException e) {
      log.warn("skipping the record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
    return null;
  }

  @Override
  public void close() {
    running = false;
    if (!started) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
