package dev.streamlearn.client.snapshot;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.core.StreamlearnConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Signs and verifies snapshots with HMAC-SHA256 under the shared {@code snapshot.signing.key}, so
 * that only a holder of the key (the updater) can publish a model that the updater and clients load.
 *
 * <p>The signature covers the canonical bytes of a snapshot's metadata: every field of
 * {@link ModelSnapshot} except the ones that differ between chunks of one version (chunkIndex,
 * chunk) and the signature itself, encoded with Avro's binary encoding after sorting every map.
 * So model, version, status, sizeBytes, chunkCount, the network's SHA-256, the spec, the normalizer
 * and the lineage are all bound to the key: changing any of them invalidates the signature, and the
 * SHA-256 binds the network bytes. A field added to the schema later is covered automatically; a
 * reader that does not know it re-encodes without it and refuses the snapshot (fail closed).
 *
 * <p>Pointers on model.current are signed the same way (all fields, another domain), so that a
 * pointer written without the key is ignored by the updater and by clients.
 */
public final class SnapshotSigner {

  private static final byte[] DOMAIN = "streamlearn.snapshot.v1\n".getBytes(StandardCharsets.UTF_8);
  /** A pointer's signature can never pass for a snapshot's, nor the other way round. */
  private static final byte[] POINTER_DOMAIN = "streamlearn.pointer.v1\n".getBytes(StandardCharsets.UTF_8);
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  public SnapshotSigner(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /** With the configured key; throws {@link SnapshotIntegrityException} if there is none. */
  public static SnapshotSigner of(StreamlearnConfig config) {
    return new SnapshotSigner(SigningKey.resolve(config));
  }

  /** Sets the signature on every chunk of one version (their metadata is identical but for the chunk fields). */
  public void sign(List<ModelSnapshot> chunks) {
    if (chunks.isEmpty()) {
      return;
    }
    String signature = HexFormat.of().formatHex(mac(chunks.get(0)));
    chunks.forEach(c -> c.setSignature(signature));
  }

  /** Throws unless {@code meta} carries a valid signature under this key. Never deserializes anything but the metadata given. */
  public void verify(ModelSnapshot meta) {
    String id = "snapshot " + meta.getModel() + " v" + meta.getVersion();
    if (meta.getSignature() == null || meta.getSignature().isEmpty()) {
      throw new SnapshotIntegrityException(id + " is unsigned; refusing to load it (only snapshots signed with snapshot.signing.key are trusted)");
    }
    byte[] claimed;
    try {
      claimed = HexFormat.of().parseHex(meta.getSignature());
    } catch (IllegalArgumentException e) {
      throw new SnapshotIntegrityException(id + ": the signature is not hex; refusing to load it");
    }
    // MessageDigest.isEqual takes the same time wherever the first difference is: no timing oracle.
    if (!MessageDigest.isEqual(mac(meta), claimed)) {
      throw new SnapshotIntegrityException(id + ": the signature does not verify (tampered, or signed with another key); refusing to load it");
    }
  }

  /** Sets the pointer's signature, over all its other fields. */
  public void sign(ModelPointer pointer) {
    pointer.setSignature(HexFormat.of().formatHex(mac(POINTER_DOMAIN, canonical(pointer))));
  }

  /** Whether the pointer carries a valid signature under this key (constant-time compare). */
  public boolean verifies(ModelPointer pointer) {
    String signature = pointer.getSignature();
    if (signature == null || signature.isEmpty()) {
      return false;
    }
    try {
      return MessageDigest.isEqual(mac(POINTER_DOMAIN, canonical(pointer)), HexFormat.of().parseHex(signature));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private byte[] mac(ModelSnapshot meta) {
    return mac(DOMAIN, canonical(meta));
  }

  private byte[] mac(byte[] domain, byte[] canonical) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(domain);
      return mac.doFinal(canonical);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] canonical(ModelPointer pointer) {
    return encode(ModelPointer.newBuilder(pointer).setSignature("").build(), ModelPointer.class);
  }

  private static <T> byte[] encode(T record, Class<T> type) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<>(type).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The signed bytes: the metadata with the per-chunk fields and the signature blanked and every map sorted. */
  static byte[] canonical(ModelSnapshot meta) {
    ModelSnapshot.Builder b = ModelSnapshot.newBuilder(meta).setChunkIndex(0).setChunk(ByteBuffer.allocate(0)).setSignature("")
        .setOffsets(new TreeMap<>(meta.getOffsets())).setMetrics(new TreeMap<>(meta.getMetrics()));
    NormalizerStats n = meta.getNormalizer();
    if (n != null) {
      b.setNormalizer(NormalizerStats.newBuilder(n).setCounters(new TreeMap<>(n.getCounters())).build());
    }
    return encode(b.build(), ModelSnapshot.class);
  }
}
