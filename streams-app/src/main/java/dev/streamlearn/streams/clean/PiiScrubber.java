package dev.streamlearn.streams.clean;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Removes personal data before anything is stored or forwarded: the configured fields are dropped,
 * or replaced with an HMAC-SHA256 keyed by a secret, so equal values still join without the value
 * being recoverable. Applies to metadata, and to features of that name (always dropped: a hash is
 * not a number).
 */
public final class PiiScrubber {

  private final Set<String> fields;
  private final boolean hash;
  private final byte[] secret;

  public PiiScrubber(Set<String> fields, boolean hash, String secret) {
    if (hash && !fields.isEmpty() && (secret == null || secret.isEmpty())) {
      throw new IllegalArgumentException("pii.mode=hash needs pii.secret");
    }
    this.fields = Set.copyOf(fields);
    this.hash = hash;
    this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
  }

  public void scrub(Map<String, Double> features, Map<String, String> metadata) {
    if (fields.isEmpty()) {
      return;
    }
    for (String f : fields) {
      features.remove(f);
      String v = metadata.remove(f);
      if (v != null && hash) {
        metadata.put(f, hmac(v));
      }
    }
  }

  String hmac(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
