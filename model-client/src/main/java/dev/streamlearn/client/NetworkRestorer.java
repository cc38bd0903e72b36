package dev.streamlearn.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Turns a verified snapshot's network bytes back into a DL4J network, with Java deserialization restricted ({@link RestoreFilter}). */
public final class NetworkRestorer {

  private NetworkRestorer() {}

  /** @param loadUpdater whether to restore the optimizer state too (training needs it; serving does not) */
  public static MultiLayerNetwork restore(byte[] bytes, boolean loadUpdater) {
    try {
      return RestoreFilter.restoring(() -> ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), loadUpdater));
    } catch (IOException e) {
      throw new UncheckedIOException("not a DL4J model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot restore the model: " + e.getMessage(), e);
    }
  }
}
