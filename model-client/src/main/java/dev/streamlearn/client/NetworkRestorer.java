package dev.streamlearn.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Turns a verified snapshot's network bytes back into a DL4J network, with Java deserialization
 * restricted ({@link RestoreFilter}). The bytes are DL4J's model zip, which says itself what it holds:
 * a ComputationGraph's configuration has {@code vertices}, a MultiLayerNetwork's does not. So snapshots
 * of either kind load, those written before graphs existed included, with no format change.
 */
public final class NetworkRestorer {

  private static final String CONFIGURATION = "configuration.json";

  private NetworkRestorer() {}

  /** @param loadUpdater whether to restore the optimizer state too (training needs it; serving does not) */
  public static Network restore(byte[] bytes, boolean loadUpdater) {
    try {
      boolean graph = isGraph(bytes);
      return RestoreFilter.restoring(() -> graph
          ? Network.of(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), loadUpdater))
          : Network.of(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), loadUpdater)));
    } catch (IOException e) {
      throw new UncheckedIOException("not a DL4J model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot restore the model: " + e.getMessage(), e);
    }
  }

  /** Whether the model zip holds a ComputationGraph (by its configuration entry); false if it has none (ModelSerializer then says why). */
  static boolean isGraph(byte[] bytes) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().equals(CONFIGURATION)) {
          JsonNode conf = new ObjectMapper().readTree(zip.readAllBytes());
          return conf.isObject() && conf.has("vertices");
        }
      }
    }
    return false;
  }
}
