package dev.streamlearn.updater;

import dev.streamlearn.avro.CommandType;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.AcknowledgedWrites;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Operators' actions on models: rollback / roll-forward and pruning. Every write waits for the
 * broker's acknowledgement and throws with the reason when it fails.
 */
public final class ModelAdmin {

  /**
   * How a rollback went: applied by the running updater, or (none running) by moving the pointer directly.
   *
   * @param millis from this call to seeing the new pointer, including this client's own set-up
   * @param pointerLagMillis from the broker's acknowledgement of the command to this client seeing the committed pointer, on this host's clock
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
   * it. If no updater is running, moves the pointer itself (to a version whose signature verifies);
   * the command stays queued, so the updater continues from that version's weights when it starts.
   * If an updater runs but does not apply it in time, it refused it (or is stuck): that is an error,
   * and the pointer is left alone.
   */
  public RollbackResult rollback(String model, long version, String reason, Duration wait) throws InterruptedException {
    TreeMap<Long, ModelSnapshot> versions = catalog.versions(model).getOrDefault(model, new TreeMap<>());
    if (!versions.containsKey(version)) {
      throw new IllegalArgumentException("model " + model + " has no snapshot v" + version + "; versions: " + versions.keySet());
    }
    if (hasKey() && !catalog.trustedVersions(model).containsKey(version)) {
      // no point queueing a command every updater will refuse
      throw new IllegalArgumentException("model " + model + " v" + version + " does not verify with snapshot.signing.key (unsigned or forged); nothing was sent");
    }
    Optional<SnapshotCatalog.PointerAt> before = catalog.pointerAt(model);
    long t0 = System.nanoTime();
    ModelCommand cmd = ModelCommand.newBuilder().setModel(model).setType(CommandType.ROLLBACK).setVersion(version).setReason(reason)
        .setRequestedAt(System.currentTimeMillis()).setRequestedBy(System.getProperty("user.name", "")).build();
    AcknowledgedWrites.send(clients, record(TopicName.COMMANDS, model, Avro.COMMAND.encode(cmd)));
    long acked = System.nanoTime();
    long seenBefore = before.map(SnapshotCatalog.PointerAt::offset).orElse(-1L);
    long deadline = acked + wait.toNanos();
    while (System.nanoTime() < deadline) {
      // Written after our command (a later offset, no clocks compared) and saying it applied this rollback.
      Optional<SnapshotCatalog.PointerAt> now = catalog.pointerAt(model);
      if (now.isPresent() && now.get().offset() > seenBefore && isRollbackTo(now.get().pointer(), version)) {
        long seen = System.nanoTime();
        return new RollbackResult(now.get().pointer(), true, (seen - t0) / 1_000_000, (seen - acked) / 1_000_000);
      }
      Thread.sleep(50); // the pointer topic has no push channel to wait on; re-read it
    }
    if (updaterRunning(model)) {
      throw new IllegalStateException("the running updater of model " + model + " did not apply the rollback to v" + version + " within "
          + wait.toSeconds() + " s: it refused it (see its log) or is busy; the pointer was not moved");
    }
    // No updater: move the pointer ourselves, but only to a version this host can verify.
    if (!catalog.trustedVersions(model).containsKey(version)) {
      throw new IllegalArgumentException("model " + model + " v" + version + " does not verify with this host's snapshot.signing.key; the pointer was not moved");
    }
    Optional<ModelPointer> previous = before.map(SnapshotCatalog.PointerAt::pointer);
    long head = previous.map(p -> p.getHead() >= 0 ? p.getHead() : p.getVersion()).orElse(version);
    long lastVersion = Math.max(versions.lastKey(), previous.map(ModelPointer::getLastVersion).orElse(-1L));
    ModelPointer pointer = ModelPointer.newBuilder().setModel(model).setVersion(version).setHead(head).setLastVersion(lastVersion)
        .setPreviousVersion(previous.map(ModelPointer::getVersion).orElse(null))
        .setReason("rollback to v" + version + " (pointer moved by the CLI; the updater applies the command when it runs)" + (reason.isEmpty() ? "" : ": " + reason))
        .setUpdatedAt(System.currentTimeMillis()).build();
    dev.streamlearn.client.snapshot.SnapshotSigner.of(clients.config()).sign(pointer);
    AcknowledgedWrites.send(clients, record(TopicName.CURRENT, model, Avro.POINTER.encode(pointer)));
    long done = System.nanoTime();
    return new RollbackResult(pointer, false, (done - t0) / 1_000_000, (done - acked) / 1_000_000);
  }

  private boolean hasKey() {
    try {
      dev.streamlearn.client.snapshot.SigningKey.resolve(clients.config());
      return true;
    } catch (dev.streamlearn.client.snapshot.SnapshotIntegrityException e) {
      return false; // an operator's host without the key: the updater checks the version itself
    }
  }

  private static boolean isRollbackTo(ModelPointer p, long version) {
    return p.getVersion() == version && p.getHead() == version && p.getReason().startsWith("rollback");
  }

  /** Whether an updater of {@code model} runs now: its leader group has members. */
  boolean updaterRunning(String model) throws InterruptedException {
    String group = UpdaterGroups.leader(clients.config(), model);
    try (Admin admin = clients.admin()) {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
      return !d.members().isEmpty();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return false;
      }
      throw new IllegalStateException("cannot tell whether an updater of " + model + " runs (group " + group + "): " + e.getCause().getMessage(), e);
    }
  }

  /**
   * Removes all but the newest {@code keep} versions with tombstones, never the current version, the
   * training head, the highest version, or a version that a rollback command not yet applied names.
   * Returns the versions removed; each tombstone is acknowledged before this returns.
   */
  public List<Long> prune(String model, int keep) throws InterruptedException {
    if (keep < 1) {
      throw new IllegalArgumentException("--keep must be at least 1 (the newest version is never pruned), got " + keep);
    }
    TreeMap<Long, ModelSnapshot> versions = catalog.versions(model).getOrDefault(model, new TreeMap<>());
    Set<Long> kept = new TreeSet<>(new ArrayList<>(versions.descendingKeySet()).subList(0, Math.min(keep, versions.size())));
    catalog.pointer(model).ifPresent(p -> {
      kept.add(p.getVersion());
      kept.add(p.getHead());
    });
    kept.addAll(pendingRollbackTargets(model));
    List<ProducerRecord<byte[], byte[]>> tombstones = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    for (ModelSnapshot s : versions.values()) {
      if (kept.contains(s.getVersion())) {
        continue;
      }
      for (int i = 0; i < s.getChunkCount(); i++) {
        tombstones.add(new ProducerRecord<>(clients.config().topic(TopicName.SNAPSHOTS), SnapshotChunker.key(model, s.getVersion(), i), null));
      }
      removed.add(s.getVersion());
    }
    AcknowledgedWrites.send(clients, tombstones);
    return removed;
  }

  /**
   * Versions named by rollback commands for {@code model} at or after the updater's committed
   * position on model.commands (all of them if it never committed one): it may still apply them.
   */
  Set<Long> pendingRollbackTargets(String model) throws InterruptedException {
    String topic = clients.config().topic(TopicName.COMMANDS);
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (Admin admin = clients.admin()) {
      committed = admin.listConsumerGroupOffsets(UpdaterGroups.data(clients.config(), model)).partitionsToOffsetAndMetadata().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the updater's position on " + topic + ": " + e.getCause().getMessage(), e);
    }
    Set<Long> out = new TreeSet<>();
    new TopicReader(clients).readAll(topic, r -> {
      OffsetAndMetadata position = committed.get(new TopicPartition(r.topic(), r.partition()));
      if (r.value() == null || (position != null && r.offset() < position.offset())) {
        return;
      }
      try {
        ModelCommand c = dev.streamlearn.core.UntrustedBytes.decode(Avro.COMMAND, r.value());
        if (c.getModel().equals(model) && c.getType() == CommandType.ROLLBACK) {
          out.add(c.getVersion());
        }
      } catch (RuntimeException e) {
        // junk on the commands topic is the updater's to quarantine; it names no version
      }
    });
    return out;
  }

  private ProducerRecord<byte[], byte[]> record(TopicName topic, String key, byte[] value) {
    return new ProducerRecord<>(clients.config().topic(topic), key.getBytes(StandardCharsets.UTF_8), value);
  }
}
