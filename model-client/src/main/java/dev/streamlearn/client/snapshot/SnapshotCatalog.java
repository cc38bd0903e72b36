package dev.streamlearn.client.snapshot;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.UntrustedBytes;
import dev.streamlearn.schemas.Avro;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the snapshot and pointer topics say about the models: every complete version's metadata,
 * a version's verified bytes, and the current pointer. Reads the compacted topics from the start;
 * incomplete versions (an aborted transaction is never visible under read_committed) are ignored,
 * and so are records that are not snapshots or pointers at all (with a warning): whoever can write
 * a topic must not be able to break every reader of it.
 *
 * <p>Listing needs no key; {@link #load} verifies the signature (see {@link SnapshotSigner}) and
 * the SHA-256 before returning a single byte of the network.
 */
public final class SnapshotCatalog {

  private static final Logger log = LoggerFactory.getLogger(SnapshotCatalog.class);

  private final KafkaClients clients;

  public SnapshotCatalog(KafkaClients clients) {
    this.clients = clients;
  }

  /** Metadata of every complete version of {@code model} (or of all models if null), by model then version. */
  public Map<String, TreeMap<Long, ModelSnapshot>> versions(String model) {
    Map<String, TreeMap<Long, ModelSnapshot>> out = new TreeMap<>();
    Map<String, Set<Integer>> chunksSeen = new HashMap<>();
    readSnapshots((key, s) -> {
      if (s == null) {
        TreeMap<Long, ModelSnapshot> m = out.get(key.model());
        if (m != null) {
          m.remove(key.version()); // pruned
        }
        chunksSeen.remove(key.model() + "/" + key.version());
        return;
      }
      if (model != null && !model.equals(s.getModel())) {
        return;
      }
      String id = s.getModel() + "/" + s.getVersion();
      Set<Integer> seen = chunksSeen.computeIfAbsent(id, x -> new HashSet<>());
      if (s.getChunkIndex() >= 0 && s.getChunkIndex() < s.getChunkCount()) {
        seen.add(s.getChunkIndex());
      }
      if (seen.size() == s.getChunkCount()) {
        // Only the metadata is kept: the decoded record is ours, so its payload is dropped in place rather than copied first.
        s.setChunk(ByteBuffer.allocate(0));
        out.computeIfAbsent(s.getModel(), x -> new TreeMap<>()).put(s.getVersion(), s);
      }
    });
    return out;
  }

  /**
   * The complete versions of {@code model} whose signature verifies; others (forged, unsigned) are
   * left out with a warning, so nothing derived from them (a version number, a rollback target) is trusted.
   */
  public TreeMap<Long, ModelSnapshot> trustedVersions(String model) {
    SnapshotSigner signer = SnapshotSigner.of(clients.config());
    TreeMap<Long, ModelSnapshot> out = new TreeMap<>();
    versions(model).getOrDefault(model, new TreeMap<>()).forEach((v, meta) -> {
      try {
        signer.verify(meta);
        out.put(v, meta);
      } catch (SnapshotIntegrityException e) {
        log.warn("ignoring {}", e.getMessage());
      }
    });
    return out;
  }

  /** A version's verified bytes, from the cache when it has them, else from the topic. */
  public Snapshot load(String model, long version, SnapshotBytesCache cache) {
    return load(model, version, cache == null ? null : versions(model).getOrDefault(model, new TreeMap<>()).get(version), cache);
  }

  /**
   * As {@link #load(String, long, SnapshotBytesCache)}, with the version's metadata already known (saves reading the topic on a cache hit).
   *
   * @throws SnapshotIntegrityException if the snapshot is unsigned, wrongly signed, incomplete or tampered, or no key is configured
   */
  public Snapshot load(String model, long version, ModelSnapshot meta, SnapshotBytesCache cache) {
    SnapshotSigner signer = SnapshotSigner.of(clients.config());
    if (cache != null && meta != null) {
      signer.verify(meta);
      Optional<byte[]> cached = cache.get(model, version, meta.getSha256());
      if (cached.isPresent()) {
        return new Snapshot(meta, cached.get());
      }
    }
    SnapshotAssembler assembler = new SnapshotAssembler(clients.config().getLong(StreamlearnConfig.SNAPSHOT_MAX_BYTES));
    List<Snapshot> found = new ArrayList<>();
    readSnapshots((key, s) -> {
      if (!key.model().equals(model) || key.version() != version) {
        return;
      }
      if (s == null) {
        assembler.discard(model, version);
        found.clear();
      } else if (s.getModel().equals(model) && s.getVersion() == version) {
        assembler.add(s).ifPresent(found::add);
      }
    });
    if (found.isEmpty()) {
      throw new IllegalArgumentException("model " + model + " has no complete snapshot v" + version + " (see 'streamlearn models list')");
    }
    Snapshot s = found.get(found.size() - 1);
    signer.verify(s.meta());
    if (cache != null) {
      cache.put(model, version, s.network());
    }
    return s;
  }

  /** The latest pointer of each model on model.current. */
  public Map<String, ModelPointer> pointers() {
    Map<String, ModelPointer> out = new TreeMap<>();
    String topic = clients.config().topic(TopicName.CURRENT);
    new TopicReader(clients).readAll(topic, r -> {
      if (r.key() == null) {
        skip(r, "no key");
        return;
      }
      String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
      if (r.value() == null) {
        out.remove(key);
        return;
      }
      try {
        ModelPointer p = UntrustedBytes.decode(Avro.POINTER, r.value());
        if (key.equals(p.getModel())) {
          out.put(key, p);
        } else {
          skip(r, "its key " + key + " names another model than its pointer (" + p.getModel() + ")");
        }
      } catch (RuntimeException e) {
        skip(r, e.getMessage());
      }
    });
    return out;
  }

  public Optional<ModelPointer> pointer(String model) {
    return Optional.ofNullable(pointers().get(model));
  }

  /**
   * The latest pointer of {@code model} whose signature verifies: a pointer written without the key
   * is skipped with a warning. Empty if the model has no pointer; throws
   * {@link SnapshotIntegrityException} if it has pointers but none verifies (nothing to trust then).
   */
  public Optional<ModelPointer> trustedPointer(String model) {
    SnapshotSigner signer = SnapshotSigner.of(clients.config());
    ModelPointer[] trusted = new ModelPointer[1];
    boolean[] untrustedOnly = new boolean[1];
    new TopicReader(clients).readAll(clients.config().topic(TopicName.CURRENT), r -> {
      if (r.key() == null || !model.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
        return;
      }
      if (r.value() == null) {
        trusted[0] = null;
        untrustedOnly[0] = false;
        return;
      }
      try {
        ModelPointer p = UntrustedBytes.decode(Avro.POINTER, r.value());
        if (model.equals(p.getModel()) && signer.verifies(p)) {
          trusted[0] = p;
        } else {
          untrustedOnly[0] = trusted[0] == null;
          skip(r, "a pointer of " + model + " whose signature does not verify");
        }
      } catch (RuntimeException e) {
        skip(r, e.getMessage());
      }
    });
    if (trusted[0] == null && untrustedOnly[0]) {
      throw new SnapshotIntegrityException("model " + model + " has pointers on " + clients.config().topic(TopicName.CURRENT)
          + " but none whose signature verifies; refusing to trust any");
    }
    return Optional.ofNullable(trusted[0]);
  }

  /** A pointer and its offset on model.current: a later offset is a later write, whatever the writers' clocks say. */
  public record PointerAt(ModelPointer pointer, long offset) {}

  /** The latest pointer of {@code model} with its offset, if any. */
  public Optional<PointerAt> pointerAt(String model) {
    PointerAt[] last = new PointerAt[1];
    new TopicReader(clients).readAll(clients.config().topic(TopicName.CURRENT), r -> {
      if (r.key() == null || !model.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
        return;
      }
      if (r.value() == null) {
        last[0] = null;
        return;
      }
      try {
        ModelPointer p = UntrustedBytes.decode(Avro.POINTER, r.value());
        if (model.equals(p.getModel())) {
          last[0] = new PointerAt(p, r.offset());
        }
      } catch (RuntimeException e) {
        skip(r, e.getMessage());
      }
    });
    return Optional.ofNullable(last[0]);
  }

  /**
   * Every pointer of {@code model} still on model.current, oldest first, with its offset: the history of promotions,
   * holds, rollbacks and roll-forwards. The topic is compacted, so once the cleaner has run only the newest pointers remain.
   */
  public List<PointerAt> pointerHistory(String model) {
    List<PointerAt> out = new ArrayList<>();
    new TopicReader(clients).readAll(clients.config().topic(TopicName.CURRENT), r -> {
      if (r.key() == null || !model.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
        return;
      }
      if (r.value() == null) {
        out.clear(); // the model's pointer was deleted: what came before belongs to another life of the name
        return;
      }
      try {
        ModelPointer p = UntrustedBytes.decode(Avro.POINTER, r.value());
        if (model.equals(p.getModel())) {
          out.add(new PointerAt(p, r.offset()));
        }
      } catch (RuntimeException e) {
        skip(r, e.getMessage());
      }
    });
    return out;
  }

  private interface SnapshotSink {
    /** @param snapshot null for a tombstone of the chunk named by {@code key} */
    void accept(SnapshotKey key, ModelSnapshot snapshot);
  }

  /** Reads model.snapshots, handing on decodable chunks and well-keyed tombstones; skips everything else with a warning. */
  private void readSnapshots(SnapshotSink sink) {
    new TopicReader(clients).readAll(clients.config().topic(TopicName.SNAPSHOTS), r -> {
      Optional<SnapshotKey> key = SnapshotKey.parse(r.key());
      if (r.value() == null) {
        if (key.isPresent()) {
          sink.accept(key.get(), null);
        } else {
          skip(r, "a tombstone whose key is not model/version/chunk");
        }
        return;
      }
      ModelSnapshot s;
      try {
        s = UntrustedBytes.decode(Avro.SNAPSHOT, r.value());
      } catch (RuntimeException e) {
        skip(r, e.getMessage());
        return;
      }
      sink.accept(key.orElse(new SnapshotKey(s.getModel(), s.getVersion())), s);
    });
  }

  private static void skip(ConsumerRecord<byte[], byte[]> r, String why) {
    log.warn("skipping the record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), why);
  }
}
