package dev.streamlearn.updater;

import dev.streamlearn.avro.CommandType;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.updater.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Operators' actions on models: rollback / roll-forward and pruning. */
public final class ModelAdmin {

  /**
   * How a rollback went: applied by the running updater, or (none running) by moving the pointer directly.
   *
   * @param millis from this call to seeing the new pointer, including this client's own set-up
   * @param pointerLagMillis from the command's timestamp to the committed pointer's: how long the pipeline took
   */
  public record RollbackResult(ModelPointer pointer, boolean appliedByUpdater, long millis, long pointerLagMillis) {}

  private final KafkaClients clients;
  private final SnapshotCatalog catalog;

  public ModelAdmin(KafkaClients clients) {
    this.clients = clients;
    this.catalog = new SnapshotCatalog(clients);
  }

  /**
   * Sends a rollback (or roll-forward) command and waits up to {@code wait} for the updater to apply
   * it. If no updater applies it in time, moves the pointer itself; the command stays queued, so the
   * updater continues from that version's weights when it starts.
   */
  public RollbackResult rollback(String model, long version, String reason, Duration wait) throws InterruptedException {
    TreeMap<Long, ModelSnapshot> versions = catalog.versions(model).getOrDefault(model, new TreeMap<>());
    if (!versions.containsKey(version)) {
      throw new IllegalArgumentException("model " + model + " has no snapshot v" + version + "; versions: " + versions.keySet());
    }
    Optional<ModelPointer> before = catalog.pointer(model);
    long t0 = System.nanoTime();
    ModelCommand cmd = ModelCommand.newBuilder().setModel(model).setType(CommandType.ROLLBACK).setVersion(version).setReason(reason)
        .setRequestedAt(System.currentTimeMillis()).setRequestedBy(System.getProperty("user.name", "")).build();
    send(clients.config().topic(TopicName.COMMANDS), model, Avro.COMMAND.encode(cmd));
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ModelPointer> now = catalog.pointer(model);
      if (now.isPresent() && now.get().getVersion() == version && now.get().getHead() == version
          && now.get().getUpdatedAt() >= cmd.getRequestedAt() && now.get().getReason().startsWith("rollback")) {
        return new RollbackResult(now.get(), true, (System.nanoTime() - t0) / 1_000_000, now.get().getUpdatedAt() - cmd.getRequestedAt());
      }
      Thread.sleep(50); // the pointer topic has no push channel to wait on; re-read it
    }
    long head = before.map(p -> p.getHead() >= 0 ? p.getHead() : p.getVersion()).orElse(version);
    ModelPointer pointer = ModelPointer.newBuilder().setModel(model).setVersion(version).setHead(head)
        .setPreviousVersion(before.map(ModelPointer::getVersion).orElse(null))
        .setReason("rollback to v" + version + " (pointer moved by the CLI; the updater applies the command when it runs)" + (reason.isEmpty() ? "" : ": " + reason))
        .setUpdatedAt(System.currentTimeMillis()).build();
    send(clients.config().topic(TopicName.CURRENT), model, Avro.POINTER.encode(pointer));
    return new RollbackResult(pointer, false, (System.nanoTime() - t0) / 1_000_000, pointer.getUpdatedAt() - cmd.getRequestedAt());
  }

  /** Removes all but the newest {@code keep} versions (never the current or the training head) with tombstones. Returns the versions removed. */
  public List<Long> prune(String model, int keep) {
    TreeMap<Long, ModelSnapshot> versions = catalog.versions(model).getOrDefault(model, new TreeMap<>());
    Optional<ModelPointer> pointer = catalog.pointer(model);
    List<Long> newest = new ArrayList<>(versions.descendingKeySet()).subList(0, Math.min(keep, versions.size()));
    List<Long> removed = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (ModelSnapshot s : versions.values()) {
        long v = s.getVersion();
        boolean protectedVersion = pointer.isPresent() && (pointer.get().getVersion() == v || pointer.get().getHead() == v);
        if (newest.contains(v) || protectedVersion) {
          continue;
        }
        for (int i = 0; i < s.getChunkCount(); i++) {
          p.send(new ProducerRecord<>(clients.config().topic(TopicName.SNAPSHOTS), SnapshotChunker.key(model, v, i), null));
        }
        removed.add(v);
      }
    }
    return removed;
  }

  private void send(String topic, String key, byte[] value) {
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }
  }
}
