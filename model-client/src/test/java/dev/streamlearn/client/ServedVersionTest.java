package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.snapshot.Snapshot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A version loads from its snapshot bytes whichever network kind it holds: a layer stack (every snapshot so far) or a wide-and-deep graph. */
class ServedVersionTest {

  private static final double[][] X = {{0.5, -1}, {2, 0.25}, {-1, -1}};

  private static Snapshot snapshot(byte[] network) {
    ModelSnapshot meta = ModelSnapshot.newBuilder().setModel("m").setVersion(1).setCreatedAt(0).setStatus(SnapshotStatus.PROMOTED)
        .setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(network.length).setSha256(Snapshot.sha256(network))
        .setSpec(TestModels.SPEC).setNormalizer(TestModels.NORMALIZER).setOffsets(Map.of()).setTrainedRecords(0).setSyntheticRecords(0)
        .setConfigHash("test").build();
    return new Snapshot(meta, network);
  }

  /** 2 inputs -> 4 tanh, merged with the inputs -> softmax 2, as the updater builds it with updater.wide. */
  private static ComputationGraph wideAndDeep() {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
        .addLayer("hidden0", new DenseLayer.Builder().nIn(2).nOut(4).activation(Activation.TANH).build(), "in")
        .addVertex("wide_and_deep", new MergeVertex(), "in", "hidden0")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(2).activation(Activation.SOFTMAX).build(),
            "wide_and_deep")
        .setOutputs("out").build());
    g.init();
    return g;
  }

  @Test
  void aWideAndDeepGraphServesWhatItComputes() throws Exception {
    ComputationGraph g = wideAndDeep();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelSerializer.writeModel(g, out, false);
    ServedVersion v = ServedVersion.of(snapshot(out.toByteArray()));
    double[][] expected = g.outputSingle(false, Nd4j.createFromArray(X).castTo(DataType.FLOAT)).castTo(DataType.DOUBLE).toDoubleMatrix();
    assertThat(Arrays.deepEquals(v.probabilities(X), expected)).isTrue();
  }

  @Test
  void aLayerStackSnapshotStillLoads() {
    byte[] bytes = TestModels.network(7);
    ServedVersion v = ServedVersion.of(snapshot(bytes));
    Network stack = NetworkRestorer.restore(bytes, false);
    assertThat(stack.isGraph()).isFalse();
    double[][] p = v.probabilities(X);
    assertThat(p).hasDimensions(3, 2);
    assertThat(Arrays.deepEquals(p, stack.output(Nd4j.createFromArray(X).castTo(DataType.FLOAT)).castTo(DataType.DOUBLE).toDoubleMatrix())).isTrue();
  }
}
