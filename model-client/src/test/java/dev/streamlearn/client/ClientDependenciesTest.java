package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A service that depends on model-client alone gets no Kafka Streams, no RocksDB and none of the
 * updater or the streams app. Reads the runtime classpath Maven resolved for this module
 * (maven-dependency-plugin build-classpath, written at generate-test-resources), so a dependency
 * that sneaks in transitively fails here.
 */
class ClientDependenciesTest {

  private static List<String> runtimeJars() throws Exception {
    Path file = Path.of("target", "runtime-classpath.txt");
    assertThat(file).as("written by the build-classpath execution in model-client/pom.xml").exists();
    return Arrays.stream(Files.readString(file).strip().split(File.pathSeparator))
        .map(p -> Path.of(p).getFileName().toString()).toList();
  }

  @Test
  void runtimeClasspathHasNoStreamsRocksDbOrUpdater() throws Exception {
    List<String> jars = runtimeJars();
    assertThat(jars).noneMatch(j -> j.startsWith("kafka-streams"));
    assertThat(jars).noneMatch(j -> j.startsWith("rocksdbjni"));
    assertThat(jars).noneMatch(j -> j.startsWith("streamlearn-model-updater") || j.startsWith("streamlearn-streams-app"));
    assertThat(jars).noneMatch(j -> j.startsWith("kafka_2.13") || j.startsWith("kafka-server"));
  }

  @Test
  void runtimeClasspathHasWhatServingNeeds() throws Exception {
    // The check above only means something if the file lists the real dependencies.
    assertThat(runtimeJars()).anyMatch(j -> j.startsWith("kafka-clients-"))
        .anyMatch(j -> j.startsWith("deeplearning4j-nn-"))
        .anyMatch(j -> j.startsWith("avro-"));
  }
}
