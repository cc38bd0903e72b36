package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.updater.snapshot.SnapshotPublisher;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Snapshots far above the broker's default 1 MB message limit publish and load through chunking. */
class LargeSnapshotIntegrationTest {

  @Test
  void a64MegabyteSnapshotRoundTripsWithBitIdenticalPredictions() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("large", Map.of())) {
      // A 4400x4400 hidden layer: ~19.4 M float parameters, ~71 MB serialized (SGD: no updater state to add). A wide
      // network (the default) is a ComputationGraph, whose restore reads each zip entry into a growing byte array
      // (DL4J's loadZipData): with the broker in this JVM it ran out of a 1 GB heap once in CI, hence Surefire's 2 GB.
      StreamlearnConfig c = f.config.with(Map.of("updater.hidden.layers", "4400", "updater.optimizer", "sgd"));
      Trainer trainer = new Trainer(ModelFactory.create(c, 4400, 3));
      byte[] network = trainer.serialize();
      assertThat(network.length).isGreaterThan(64 * 1024 * 1024);

      ModelSnapshot meta = ModelSnapshot.newBuilder(SnapshotChunkerTest.meta(1)).setModel("big").build();
      List<ModelSnapshot> chunks = SnapshotChunker.split(meta, network, f.config.getInt(StreamlearnConfig.CHUNK_BYTES));
      long t0 = System.nanoTime();
      try (var producer = f.clients.transactionalProducer("large-test")) {
        producer.initTransactions();
        new SnapshotPublisher(producer, f.config).commit(chunks,
            ModelPointer.newBuilder().setModel("big").setVersion(1).setHead(1).setReason("test").setUpdatedAt(1).build(), null, null);
      }
      long publishMs = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      Snapshot loaded = new SnapshotCatalog(f.clients).load("big", 1, null);
      long loadMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("snapshot %,d bytes in %d chunks: publish %d ms, load %d ms%n", network.length, chunks.size(), publishMs, loadMs);

      assertThat(loaded.network()).isEqualTo(network);
      double[][] x = new double[8][4400];
      Random rnd = new Random(3);
      for (double[] row : x) {
        for (int i = 0; i < row.length; i++) {
          row[i] = rnd.nextGaussian();
        }
      }
      double[][] before = trainer.predict(x);
      double[][] after = new Trainer(Trainer.deserialize(loaded.network())).predict(x);
      for (int i = 0; i < x.length; i++) {
        assertThat(Arrays.equals(before[i], after[i])).as("row %d bit-identical", i).isTrue();
      }
    }
  }
}
