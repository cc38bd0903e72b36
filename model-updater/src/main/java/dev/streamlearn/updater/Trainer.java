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
 *
 * <p>With an averaging decay above 0 ({@code updater.average.decay}) it also keeps an exponential moving
 * average of the parameters after every gradient step, and that average is what it predicts with, what
 * {@link #served()} returns and what {@link #serialize()} writes: one-pass SGD ends wherever the last
 * mini-batches pushed it, and the average smooths that end-of-pass noise away (Polyak averaging), while
 * the gradient steps still move the raw parameters ({@link #network()}).
 */
public final class Trainer {

  private Network net;
  private final int classes;
  private final double decay;
  /** The averaged network (its parameters are the moving average), or null when not averaging. */
  private Network averaged;
  /** Gradient steps folded into the average since it started from the raw parameters. */
  private long averagedSteps;

  public Trainer(Network net) {
    this(net, 0);
  }

  /** @param decay the moving average's decay per gradient step; 0 serves the raw parameters */
  public Trainer(Network net, double decay) {
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException("averaging decay must be in [0, 1): " + decay);
    }
    this.net = net;
    this.classes = net.classes();
    this.decay = decay;
    startAverage();
  }

  /** The raw, trained parameters (the head gradient steps move). */
  public Network network() {
    return net;
  }

  /** The network to judge and serve: the moving average when averaging, else the trained network itself. */
  public Network served() {
    return averaged == null ? net : averaged;
  }

  private void startAverage() {
    averaged = decay > 0 ? net.copy() : null;
    averagedSteps = 0;
  }

  /**
   * Folds the raw parameters into the average: avg = e avg + (1 - e) raw, with e = min(decay, (1 + t) / (10 + t)) at
   * step t (counted from 1), the warm-up TensorFlow's ExponentialMovingAverage uses, so the random initial weights do
   * not linger for the ~1 / (1 - decay) steps a plain average would keep them.
   */
  private void foldIntoAverage() {
    averagedSteps++;
    double e = Math.min(decay, (1.0 + averagedSteps) / (10.0 + averagedSteps));
    INDArray avg = averaged.model().params();
    avg.muli(e).addi(net.model().params().mul(1 - e));
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
    if (averaged != null) {
      foldIntoAverage();
    }
  }

  /** A copy of the parameters {@link #served()} has: what {@link #restore} puts back. */
  public INDArray servedParams() {
    return served().model().params().dup();
  }

  /**
   * Puts saved parameters back in both the trained network and the average (a rest's best point, when it went on past
   * it): they then agree, as after a restore from a snapshot. The optimizer's state stays as it is.
   */
  public void restore(INDArray params) {
    net.model().setParams(params.dup());
    if (averaged != null) {
      averaged.model().setParams(params.dup());
    }
  }

  /** Class probabilities, one row per input row. */
  public double[][] predict(double[][] x) {
    return served().probabilities(x);
  }

  /**
   * The network with its updater state, as a zip whose entries carry a fixed time: ModelSerializer
   * stamps each entry with the clock, so two identical networks would otherwise differ in their
   * bytes and in their SHA-256 (what a deterministic replay is checked by).
   */
  public byte[] serialize() {
    Network written = net;
    if (averaged != null) {
      // The averaged parameters with the raw network's optimizer state: what is served, and what a restart trains on from.
      written = net.copy();
      written.model().setParams(averaged.model().params());
    }
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ModelSerializer.writeModel(written.model(), out, true);
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

  /** Training continues from {@code other}; the average starts again from its parameters. */
  public void replace(Network other) {
    this.net = other;
    startAverage();
  }
}
