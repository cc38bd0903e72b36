package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's client example is this code: it compiles here, runs against a real broker, and the README quotes it verbatim. */
class ReadmeExampleTest {

  private static final Path SOURCE = Path.of("src/test/java/dev/streamlearn/client/ReadmeExampleTest.java");

  static Prediction example(StreamlearnConfig config) throws InterruptedException {
    // readme:start
    CurrentModel model = new CurrentModel(new KafkaClients(config), "default");
    model.addListener((previous, current) -> System.out.println("now serving v" + current));
    model.follow();                                    // a background thread tails model.current: new versions, rollbacks
    model.awaitVersion(Duration.ofSeconds(30));        // NoModelException, saying why, if none loads in time
    Map<String, Double> p = model.predict(Map.of("amount", 42.0, "hour", 14.0)); // raw values; label -> probability
    List<Prediction> batch = model.predictAll(List.of(Map.of("amount", 7.5, "hour", 3.0)));
    Prediction first = batch.get(0);                   // label, probabilities and the version that answered
    model.close();                                     // stops following; the loaded version still answers
    // readme:end
    assertThat(p).containsOnlyKeys("fraud", "legit");
    return first;
  }

  @Test
  void theExampleRunsAgainstARealBroker() throws Exception {
    StreamlearnConfig config = RealKafka.config("readme", Map.of("snapshot.signing.key", TestModels.KEY));
    TestModels models = new TestModels(config, "default");
    models.snapshot(1);
    models.point(1, "first");
    assertThat(example(config).version()).isEqualTo(1);
  }

  @Test
  void theReadmeQuotesTheExampleVerbatim() throws Exception {
    String source = Files.readString(SOURCE);
    String snippet = source.substring(source.indexOf("// readme:start\n") + "// readme:start\n".length(), source.indexOf("    // readme:end"))
        .lines().map(l -> l.substring(4)).collect(Collectors.joining("\n"));
    assertThat(Files.readString(Path.of("..", "README.md"))).contains("```java\n" + snippet + "\n```");
  }
}
