package dev.streamlearn.updater;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.client.Network;
import dev.streamlearn.core.StreamlearnConfig;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Builds the classifier from configuration and the dataset's shape: dense hidden layers and a softmax
 * output (a DL4J MultiLayerNetwork), or, with {@code updater.wide}, the same with the inputs also wired
 * straight to the output layer (wide and deep, a ComputationGraph): the output then sums a linear model
 * of the inputs and the MLP's last hidden layer, so one pass learns the linear part as fast as a
 * logistic regression while the hidden layers add what is not linear.
 */
public final class ModelFactory {

  static final String INPUT = "in";
  static final String WIDE_AND_DEEP = "wide_and_deep";
  static final String OUTPUT = "out";

  private ModelFactory() {}

  public static Network create(StreamlearnConfig c, int inputs, int classes) {
    List<Integer> hidden = c.getList(HIDDEN_LAYERS).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    return c.getBoolean(WIDE) && !hidden.isEmpty() ? Network.of(wideAndDeep(c, hidden, inputs, classes)) : Network.of(stack(c, hidden, inputs, classes));
  }

  private static NeuralNetConfiguration.Builder base(StreamlearnConfig c) {
    NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
        .seed(c.getLong(SEED))
        .weightInit(WeightInit.XAVIER)
        .updater(updater(c));
    if (c.getDouble(L2) > 0) {
      b.l2(c.getDouble(L2));
    }
    if (c.getDouble(GRADIENT_CLIP) > 0) {
      b.gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(c.getDouble(GRADIENT_CLIP));
    }
    return b;
  }

  private static DenseLayer hiddenLayer(StreamlearnConfig c, int in, int width) {
    DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(width).activation(Activation.valueOf(c.getString(ACTIVATION).toUpperCase(Locale.ROOT)));
    double hiddenL2 = c.getDouble(HIDDEN_L2);
    if (hiddenL2 >= 0) {
      layer.l2(hiddenL2);
    }
    double dropout = c.getDouble(DROPOUT);
    if (dropout > 0) {
      layer.dropOut(1.0 - dropout); // DL4J takes the probability of keeping an activation
    }
    return layer.build();
  }

  private static OutputLayer outputLayer(int in, int classes) {
    return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in).nOut(classes).activation(Activation.SOFTMAX).build();
  }

  private static MultiLayerNetwork stack(StreamlearnConfig c, List<Integer> hidden, int inputs, int classes) {
    NeuralNetConfiguration.ListBuilder list = base(c).list();
    int in = inputs;
    for (int width : hidden) {
      list.layer(hiddenLayer(c, in, width));
      in = width;
    }
    list.layer(outputLayer(in, classes));
    MultiLayerConfiguration conf = list.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static ComputationGraph wideAndDeep(StreamlearnConfig c, List<Integer> hidden, int inputs, int classes) {
    ComputationGraphConfiguration.GraphBuilder g = base(c).graphBuilder().addInputs(INPUT);
    String previous = INPUT;
    int in = inputs;
    for (int i = 0; i < hidden.size(); i++) {
      String name = "hidden" + i;
      g.addLayer(name, hiddenLayer(c, in, hidden.get(i)), previous);
      previous = name;
      in = hidden.get(i);
    }
    // The inputs themselves beside the last hidden layer: the output layer's weights on them are the linear (wide) model.
    g.addVertex(WIDE_AND_DEEP, new MergeVertex(), INPUT, previous);
    g.addLayer(OUTPUT, outputLayer(inputs + in, classes), WIDE_AND_DEEP);
    g.setOutputs(OUTPUT);
    ComputationGraph graph = new ComputationGraph(g.build());
    graph.init();
    return graph;
  }

  static IUpdater updater(StreamlearnConfig c) {
    double lr = c.getDouble(LEARNING_RATE);
    double decay = c.getDouble(LR_DECAY);
    ISchedule schedule = decay < 1.0 ? new ExponentialSchedule(ScheduleType.ITERATION, lr, Math.pow(decay, 1.0 / 1000)) : null;
    return switch (c.getString(OPTIMIZER)) {
      case "sgd" -> schedule == null ? new Sgd(lr) : new Sgd(schedule);
      case "nesterovs" -> schedule == null ? new Nesterovs(lr, c.getDouble(MOMENTUM)) : new Nesterovs(schedule, c.getDouble(MOMENTUM));
      default -> schedule == null ? new Adam(lr) : new Adam(schedule);
    };
  }
}
