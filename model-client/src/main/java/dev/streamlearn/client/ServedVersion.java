package dev.streamlearn.client;

import dev.streamlearn.client.snapshot.Snapshot;

/**
 * One loaded version: its number, the transform it was trained with and its network. Immutable but
 * for the network, which DL4J does not make safe for concurrent {@code output} calls, so inference on
 * one version is serialized.
 */
final class ServedVersion {

  private final long version;
  private final ServingTransform transform;
  private final Network network;

  private ServedVersion(long version, ServingTransform transform, Network network) {
    this.version = version;
    this.transform = transform;
    this.network = network;
  }

  /** From a verified snapshot; the optimizer state is not restored (serving never trains). */
  static ServedVersion of(Snapshot s) {
    return new ServedVersion(s.version(), new ServingTransform(s.meta().getSpec(), s.meta().getNormalizer()),
        NetworkRestorer.restore(s.network(), false));
  }

  long version() {
    return version;
  }

  ServingTransform transform() {
    return transform;
  }

  /** Class probabilities, one row per (already transformed) input row. */
  double[][] probabilities(double[][] x) {
    if (x.length == 0) {
      return new double[0][];
    }
    org.nd4j.linalg.api.ndarray.INDArray in = Network.features(x); // made outside the lock: only the network is shared
    synchronized (network) {
      return network.probabilities(in);
    }
  }
}
