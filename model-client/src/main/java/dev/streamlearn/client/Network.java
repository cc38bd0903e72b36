package dev.streamlearn.client;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A classifier network of either kind the updater builds: a DL4J MultiLayerNetwork (a plain stack of
 * layers) or a ComputationGraph (wide and deep: the inputs also reach the output layer directly). Both
 * take one feature matrix and give one softmax output, so training and serving need not care which.
 * Not thread-safe (DL4J networks are not).
 */
public final class Network {

  static {
    NativeMemory.guardIfChecksOff(); // the first network: JavaCPP has loaded, and this JVM uses ND4J
  }

  private final MultiLayerNetwork stack;
  private final ComputationGraph graph;

  private Network(MultiLayerNetwork stack, ComputationGraph graph) {
    this.stack = stack;
    this.graph = graph;
  }

  public static Network of(MultiLayerNetwork stack) {
    return new Network(stack, null);
  }

  public static Network of(ComputationGraph graph) {
    if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
      throw new IllegalArgumentException("a classifier graph has one input and one output, not " + graph.getNumInputArrays() + " and "
          + graph.getNumOutputArrays());
    }
    return new Network(null, graph);
  }

  /** The DL4J model, for ModelSerializer. */
  public Model model() {
    return stack != null ? stack : graph;
  }

  public boolean isGraph() {
    return graph != null;
  }

  /** Softmax outputs, one row per input row (inference mode: no dropout). */
  public INDArray output(INDArray features) {
    return stack != null ? stack.output(features, false) : graph.outputSingle(false, features);
  }

  /** Rows of features as the network takes them (32-bit floats). */
  public static INDArray features(double[][] x) {
    return Nd4j.createFromArray(x).castTo(DataType.FLOAT);
  }

  /** Class probabilities, one row per input row (inference mode). */
  public double[][] probabilities(double[][] x) {
    return x.length == 0 ? new double[0][] : probabilities(features(x));
  }

  /**
   * As {@link #probabilities(double[][])}, for rows already made {@link #features}. The output leaves ND4J as one flat
   * copy, split into rows here: {@code INDArray.toDoubleMatrix()} makes a view and a copy per row, each a native
   * allocation, and profiled at two thirds of a 64-row prediction's time.
   */
  public double[][] probabilities(INDArray features) {
    INDArray out = output(features);
    int rows = (int) out.size(0);
    int cols = (int) out.size(1);
    double[] flat = out.dup('c').data().asDouble(); // one copy; asDouble widens the floats exactly, as castTo did
    if (rows != features.size(0) || flat.length != (long) rows * cols) {
      throw new IllegalStateException("network output of shape [" + rows + ", " + cols + "] holds " + flat.length + " values, for " + features.size(0) + " rows");
    }
    double[][] probs = new double[rows][];
    for (int r = 0; r < rows; r++) {
      probs[r] = java.util.Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
    }
    return probs;
  }

  /** One gradient step on a mini-batch (its labels mask, if any, weighs the examples). */
  public void fit(DataSet batch) {
    if (stack != null) {
      stack.fit(batch);
    } else {
      graph.fit(batch);
    }
  }

  /** Width of the output layer. */
  public int classes() {
    org.deeplearning4j.nn.api.Layer out = stack != null ? stack.getOutputLayer() : graph.getOutputLayer(0);
    return (int) out.getParam("W").size(1);
  }

  /** The loss of the last fit (DL4J's score of the last mini-batch, regularization included). */
  public double score() {
    return model().score();
  }

  public long numParams() {
    return model().numParams();
  }

  /** The configuration as DL4J writes it (JSON): part of the model's identity. */
  public String configurationJson() {
    return stack != null ? stack.getLayerWiseConfigurations().toJson() : graph.getConfiguration().toJson();
  }

  /** A deep copy, parameters and optimizer state included. */
  public Network copy() {
    if (stack != null) {
      return of(stack.clone());
    }
    // ComputationGraph.clone() starts its configuration's iteration and epoch counts again from 0 (MultiLayerNetwork's
    // keeps them): they are part of the configuration a snapshot writes, and Adam's bias correction counts on them.
    ComputationGraph copy = graph.clone();
    copy.getConfiguration().setIterationCount(graph.getConfiguration().getIterationCount());
    copy.getConfiguration().setEpochCount(graph.getConfiguration().getEpochCount());
    return of(copy);
  }
}
