package dev.streamlearn.updater;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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

/** Builds the classifier (a DL4J MultiLayerNetwork: dense hidden layers, softmax output) from configuration and the dataset's shape. */
public final class ModelFactory {

  private ModelFactory() {}

  public static MultiLayerNetwork create(StreamlearnConfig c, int inputs, int classes) {
    List<Integer> hidden = c.getList(HIDDEN_LAYERS).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    Activation activation = Activation.valueOf(c.getString(ACTIVATION).toUpperCase(Locale.ROOT));
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
    NeuralNetConfiguration.ListBuilder list = b.list();
    int in = inputs;
    double dropout = c.getDouble(DROPOUT);
    for (int width : hidden) {
      DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(width).activation(activation);
      if (dropout > 0) {
        layer.dropOut(1.0 - dropout); // DL4J takes the probability of keeping an activation
      }
      list.layer(layer.build());
      in = width;
    }
    list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in).nOut(classes).activation(Activation.SOFTMAX).build());
    MultiLayerConfiguration conf = list.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
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
