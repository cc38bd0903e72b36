package dev.streamlearn.updater;

import dev.streamlearn.client.Network;
import dev.streamlearn.client.NetworkRestorer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Incremental training of one network on mini-batches, batch prediction, and (de)serialization
 * with the updater state: Adam's moment estimates are part of the model, or training degrades
 * after every save and restore.
 */
public final class Trainer {

  private Network net;
  private final int classes;

  public Trainer(Network net) {
    this.net = net;
    this.classes = net.classes();
  }

  public Network network() {
    return net;
  }

  public int classes() {
    return classes;
  }

  /** One gradient step on a mini-batch. {@code weights} may be null (all 1). */
  public void fit(double[][] x, int[] y, double[] weights) {
    if (weights != null && y.length == 1) {
      // DL4J takes a [1, 1] label mask for a per-output mask and refuses it with softmax; the record twice, each with
      // its weight, gives the same mean loss and gradient.
      fit(new double[][] {x[0], x[0]}, new int[] {y[0], y[0]}, new double[] {weights[0], weights[0]});
      return;
    }
    INDArray features = Nd4j.createFromArray(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    INDArray labels = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, y.length, classes);
    for (int i = 0; i < y.length; i++) {
      labels.putScalar(i, y[i], 1f);
    }
    DataSet ds = new DataSet(features, labels);
    if (weights != null) {
      // A per-example label mask scales each example's loss: how class weights reach the gradient.
      ds.setLabelsMaskArray(Nd4j.createFromArray(weights).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(y.length, 1));
    }
    net.fit(ds);
  }

  /** Class probabilities, one row per input row. */
  public double[][] predict(double[][] x) {
    if (x.length == 0) {
      return new double[0][];
    }
    INDArray out = net.output(Nd4j.createFromArray(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    return out.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
  }

  /**
   * The network with its updater state, as a zip whose entries carry a fixed time: ModelSerializer
   * stamps each entry with the clock, so two identical networks would otherwise differ in their
   * bytes and in their SHA-256 (what a deterministic replay is checked by).
   */
  public byte[] serialize() {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ModelSerializer.writeModel(net.model(), out, true);
      return withFixedTimes(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final java.time.LocalDateTime ZIP_TIME = java.time.LocalDateTime.of(1980, 1, 1, 0, 0);

  private static byte[] withFixedTimes(byte[] zip) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(zip.length);
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip));
        java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
      for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        java.util.zip.ZipEntry copy = new java.util.zip.ZipEntry(e.getName());
        copy.setTimeLocal(ZIP_TIME); // a DOS date, the same in every time zone
        z.putNextEntry(copy);
        in.transferTo(z);
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** Restores a network with its updater state, Java deserialization restricted to what DL4J needs ({@link NetworkRestorer}). */
  public static Network deserialize(byte[] bytes) {
    return NetworkRestorer.restore(bytes, true);
  }

  public void replace(Network other) {
    this.net = other;
  }
}
