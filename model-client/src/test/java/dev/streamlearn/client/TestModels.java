package dev.streamlearn.client;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotKey;
import dev.streamlearn.client.snapshot.SnapshotSigner;
import dev.streamlearn.core.AcknowledgedWrites;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Publishes signed snapshots and pointers the way the updater does (one chunk, same key format, same
 * signer), so the client is tested against real topics without depending on the updater module.
 */
public final class TestModels {

  public static final String KEY = "client-test-signing-key-0123456789abcdef";
  public static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(List.of("amount", "hour"))
      .setLabels(List.of("fraud", "legit")).build();

  /** Moments of a few raw records, so served inputs are not all zero after normalization. */
  public static final NormalizerStats NORMALIZER = normalizer();

  private final KafkaClients clients;
  private final String model;

  public TestModels(StreamlearnConfig config, String model) throws Exception {
    this.clients = new KafkaClients(config);
    this.model = model;
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
  }

  public KafkaClients clients() {
    return clients;
  }

  /** A random 2-4-2 network; each seed gives other weights, so two versions answer differently. */
  public static byte[] network(long seed) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).list()
        .layer(new DenseLayer.Builder().nIn(2).nOut(4).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ModelSerializer.writeModel(net, out, false);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NormalizerStats normalizer() {
    RunningStats stats = new RunningStats(2);
    for (double[] x : new double[][] {{0, 0}, {1, 2}, {2, -1}, {-1, 1}}) {
      stats.update(x);
    }
    return StatsCodec.toAvro(stats, SPEC, "zscore", -1, Map.of(), 0);
  }

  /** Publishes version {@code v} (signed unless {@code signer} is null) with the given network bytes. */
  public void snapshot(long v, byte[] network, SnapshotSigner signer) {
    ModelSnapshot s = ModelSnapshot.newBuilder().setModel(model).setVersion(v).setCreatedAt(System.currentTimeMillis())
        .setStatus(SnapshotStatus.PROMOTED).setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.wrap(network))
        .setSizeBytes(network.length).setSha256(Snapshot.sha256(network)).setSpec(SPEC).setNormalizer(NORMALIZER).setOffsets(Map.of())
        .setTrainedRecords(v * 100).setSyntheticRecords(0).setConfigHash("test").build();
    if (signer != null) {
      signer.sign(List.of(s));
    }
    AcknowledgedWrites.send(clients, new ProducerRecord<>(clients.config().topic(TopicName.SNAPSHOTS),
        SnapshotKey.format(model, v, 0), Avro.SNAPSHOT.encode(s)));
  }

  public void snapshot(long v) {
    snapshot(v, network(v), SnapshotSigner.of(clients.config()));
  }

  /** Moves model.current to version {@code v}, signed. */
  public void point(long v, String reason) {
    ModelPointer p = ModelPointer.newBuilder().setModel(model).setVersion(v).setHead(v).setReason(reason)
        .setUpdatedAt(System.currentTimeMillis()).build();
    SnapshotSigner.of(clients.config()).sign(p);
    AcknowledgedWrites.send(clients, new ProducerRecord<>(clients.config().topic(TopicName.CURRENT),
        model.getBytes(StandardCharsets.UTF_8), Avro.POINTER.encode(p)));
  }
}
