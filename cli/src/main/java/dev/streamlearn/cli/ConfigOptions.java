package dev.streamlearn.cli;

import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: where the configuration comes from and which cluster to use. */
public final class ConfigOptions {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Properties file (default: ./streamlearn.properties if present). Environment: STREAMLEARN_<KEY> with . and - as _, e.g. STREAMLEARN_MODEL_NAME.")
  Path configFile;

  @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers; default: the local broker (127.0.0.1:19092).")
  String bootstrap;

  @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
      description = "Override one setting, e.g. -D split.eval.fraction=0.2 or -D kafka.security.protocol=SASL_SSL.")
  Map<String, String> overrides = new LinkedHashMap<>();

  private StreamlearnConfig cached;

  public StreamlearnConfig config() {
    if (cached == null) {
      Path file = configFile;
      if (file == null && Files.exists(Path.of("streamlearn.properties"))) {
        file = Path.of("streamlearn.properties");
      }
      Map<String, String> o = new LinkedHashMap<>(overrides);
      if (bootstrap != null) {
        o.put(StreamlearnConfig.BOOTSTRAP, bootstrap);
      }
      cached = StreamlearnConfig.load(file, System.getenv(), o);
    }
    return cached;
  }

  public KafkaClients clients() {
    return new KafkaClients(config());
  }

  /** Accepts a full topic name, a spec name ("records.dlq") or a short one ("dlq"). */
  public String resolveTopic(String name) {
    for (TopicName t : TopicName.values()) {
      if (t.suffix().equals(name) || t.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return config().topic(t);
      }
    }
    return name;
  }
}
