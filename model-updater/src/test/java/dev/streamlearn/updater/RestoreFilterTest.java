package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.core.StreamlearnConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.junit.jupiter.api.Test;

/** DL4J reads a model's optional preprocessor.bin with Java deserialization: only DL4J's own classes may come out of it. */
class RestoreFilterTest {

  /** Stands for a gadget: its readObject is where an attack would run. */
  static final class Gadget implements Serializable {
    static volatile boolean ran;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      ran = true;
    }
  }

  private static byte[] modelWithPreprocessor(Object preprocessor) throws IOException {
    dev.streamlearn.client.Network net = ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "4")), 3, 2);
    byte[] model = new Trainer(net).serialize();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(model)); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        zip.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(zip);
        zip.closeEntry();
      }
      zip.putNextEntry(new ZipEntry("preprocessor.bin"));
      ByteArrayOutputStream serialized = new ByteArrayOutputStream();
      try (ObjectOutputStream oos = new ObjectOutputStream(serialized)) {
        oos.writeObject(preprocessor);
      }
      zip.write(serialized.toByteArray());
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  @Test
  void aModelCarryingAClassOutsideTheAllowListIsRejectedBeforeTheClassRuns() throws Exception {
    byte[] forged = modelWithPreprocessor(new Gadget());
    assertThatThrownBy(() -> Trainer.deserialize(forged)).hasMessageContaining("REJECTED");
    assertThat(Gadget.ran).as("the gadget's readObject never ran").isFalse();
  }

  @Test
  void withoutTheFilterTheSameBytesWouldRunIt() throws Exception {
    // The control: DL4J itself deserializes whatever preprocessor.bin holds.
    byte[] forged = modelWithPreprocessor(new Gadget());
    Gadget.ran = false;
    try {
      ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(forged), true);
    } catch (RuntimeException e) {
      // ClassCastException to DataSetPreProcessor: too late, readObject has run
    }
    assertThat(Gadget.ran).isTrue();
    Gadget.ran = false;
  }

  @Test
  void aDl4jPreprocessorStillRestores() throws Exception {
    byte[] model = modelWithPreprocessor(new ImagePreProcessingScaler(0, 1));
    assertThat(Trainer.deserialize(model).numParams()).isGreaterThan(0);
  }

  @Test
  void otherJavaDeserializationInTheJvmIsUnaffected() throws Exception {
    Trainer.deserialize(new Trainer(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "4")), 3, 2)).serialize());
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(b)) {
      oos.writeObject(new java.util.ArrayList<>(java.util.List.of("x")));
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(java.util.List.of("x"));
    }
  }
}
