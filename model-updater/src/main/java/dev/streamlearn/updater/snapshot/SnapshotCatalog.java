package dev.streamlearn.updater.snapshot;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the snapshot and pointer topics say about the models: every complete version's metadata,
 * a version's verified bytes, and the current pointer. Reads the compacted topics from the start;
 * incomplete versions (an aborted transaction is never visible under read_committed) are ignored.
 */
public final class SnapshotCatalog {

  private final KafkaClients clients;

  public SnapshotCatalog(KafkaClients clients) {
    this.clients = clients;
  }

  /** Metadata of every complete version of {@code model} (or of all models if null), by model then version. */
  public Map<String, TreeMap<Long, ModelSnapshot>> versions(String model) {
    Map<String, TreeMap<Long, ModelSnapshot>> out = new TreeMap<>();
    Map<String, Integer> chunksSeen = new HashMap<>();
    new TopicReader(clients).readAll(clients.config().topic(TopicName.SNAPSHOTS), r -> {
      if (r.value() == null) {
        String[] k = new String(r.key(), StandardCharsets.UTF_8).split("/");
        TreeMap<Long, ModelSnapshot> m = out.get(k[0]);
        if (m != null) {
          m.remove(Long.parseLong(k[1])); // pruned
        }
        return;
      }
      ModelSnapshot s = Avro.SNAPSHOT.decode(r.value());
      if (model != null && !model.equals(s.getModel())) {
        return;
      }
      String id = s.getModel() + "/" + s.getVersion();
      int seen = chunksSeen.merge(id, 1, Integer::sum);
      if (seen == s.getChunkCount()) {
        out.computeIfAbsent(s.getModel(), x -> new TreeMap<>()).put(s.getVersion(), ModelSnapshot.newBuilder(s).setChunk(ByteBuffer.allocate(0)).build());
      }
    });
    return out;
  }

  /** A version's verified bytes, from the cache when it has them, else from the topic. */
  public Snapshot load(String model, long version, SnapshotCache cache) {
    return load(model, version, cache == null ? null : versions(model).getOrDefault(model, new TreeMap<>()).get(version), cache);
  }

  /** As {@link #load(String, long, SnapshotCache)}, with the version's metadata already known (saves reading the topic on a cache hit). */
  public Snapshot load(String model, long version, ModelSnapshot meta, SnapshotCache cache) {
    if (cache != null) {
      if (meta != null) {
        Optional<byte[]> cached = cache.get(model, version, meta.getSha256());
        if (cached.isPresent()) {
          return new Snapshot(meta, cached.get());
        }
      }
    }
    SnapshotAssembler assembler = new SnapshotAssembler();
    List<Snapshot> found = new ArrayList<>();
    new TopicReader(clients).readAll(clients.config().topic(TopicName.SNAPSHOTS), r -> {
      if (r.value() == null) {
        return;
      }
      ModelSnapshot s = Avro.SNAPSHOT.decode(r.value());
      if (s.getModel().equals(model) && s.getVersion() == version) {
        assembler.add(s).ifPresent(found::add);
      }
    });
    if (found.isEmpty()) {
      throw new IllegalArgumentException("model " + model + " has no complete snapshot v" + version + " (see 'streamlearn models list')");
    }
    Snapshot s = found.get(found.size() - 1);
    if (cache != null) {
      cache.put(model, version, s.network());
    }
    return s;
  }

  /** The latest pointer of each model on model.current. */
  public Map<String, ModelPointer> pointers() {
    Map<String, ModelPointer> out = new TreeMap<>();
    new TopicReader(clients).readAll(clients.config().topic(TopicName.CURRENT), r -> {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        out.remove(key);
      } else {
        out.put(key, Avro.POINTER.decode(r.value()));
      }
    });
    return out;
  }

  public Optional<ModelPointer> pointer(String model) {
    return Optional.ofNullable(pointers().get(model));
  }
}
