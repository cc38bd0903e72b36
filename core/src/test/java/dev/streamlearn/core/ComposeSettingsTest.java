package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml and the local cluster ({@code kafka start --brokers 3}) must run the same
 * cluster: this holds the compose brokers' properties (written by docker/secure/init.sh) to
 * {@link ClusterReplication}, their cluster id to what Kafka's storage tool accepts, and every
 * {@code STREAMLEARN_*} variable the compose file sets to a real setting with a valid value.
 */
class ComposeSettingsTest {

  private static final Path DOCKER = Path.of("..", "docker");
  /** Read by the image's entrypoint (docker/Dockerfile) and scripts/streamlearn, not by the apps: the JVM's options. */
  private static final String LAUNCHER_VARIABLE = "STREAMLEARN_JAVA_OPTS";

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  private static List<String> brokerServices() throws IOException {
    return services().keySet().stream().filter(s -> s.matches("kafka-\\d+")).sorted().toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new TreeMap<>();
    Object e = service.get("environment");
    if (e instanceof Map<?, ?> m) {
      // Compose interpolates ${VAR:-default} from the host; without the host variable that is the default.
      m.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v).replaceAll("\\$\\{[A-Z0-9_]+:-([^}]*)}", "$1")));
    }
    return env;
  }

  /** The server properties init.sh writes for every broker, with the broker number's shell expressions left in. */
  private static Properties brokerProperties() throws IOException {
    String script = Files.readString(DOCKER.resolve("secure").resolve("init.sh"));
    Matcher m = Pattern.compile("cat > \"\\$S/server-\\$n\\.properties\" <<PROPS\\n(.*?)\\nPROPS\\n", Pattern.DOTALL).matcher(script);
    assertThat(m.find()).as("init.sh writes server-$n.properties").isTrue();
    Properties p = new Properties();
    p.load(new StringReader(m.group(1)));
    return p;
  }

  @Test
  void threeCombinedNodesInOneQuorum() throws IOException {
    assertThat(brokerServices()).containsExactly("kafka-1", "kafka-2", "kafka-3");
    Properties p = brokerProperties();
    assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
    assertThat(p.getProperty("controller.quorum.voters").split(",")).hasSize(brokerServices().size());
  }

  @Test
  void brokersRunTheKafkaVersionTheAppsAreBuiltWith() throws IOException {
    // The broker image and the client libraries from the pom move together: a test of the local cluster says little about
    // a compose cluster on another broker version.
    Matcher m = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(Files.readString(Path.of("..", "pom.xml")));
    assertThat(m.find()).as("the root pom declares kafka.version").isTrue();
    String built = m.group(1);
    List<String> images = new ArrayList<>();
    services().values().forEach(s -> {
      if (String.valueOf(s.get("image")).startsWith("apache/kafka:")) {
        images.add(String.valueOf(s.get("image")));
      }
    });
    assertThat(images).hasSizeGreaterThanOrEqualTo(brokerServices().size()).allSatisfy(i -> assertThat(i).isEqualTo("apache/kafka:" + built));
  }

  @Test
  void brokerReplicationIsTheLocalClusters() throws IOException {
    Properties p = brokerProperties();
    Map<String, String> expected = new ClusterReplication(brokerServices().size()).brokerSettings();
    assertThat(expected).containsEntry("min.insync.replicas", "2").containsEntry("default.replication.factor", "3");
    expected.forEach((k, v) -> assertThat(p.getProperty(k)).as("docker/secure/init.sh: " + k).isEqualTo(v));
  }

  @Test
  void brokersWaitForTransactionMarkersAsTheLocalBrokerDoes() throws IOException {
    String key = org.apache.kafka.coordinator.transaction.AddPartitionsToTxnConfig.ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS_CONFIG;
    assertThat(brokerProperties().getProperty(key)).as("docker/secure/init.sh: " + key)
        .isEqualTo(Integer.toString(LocalKafka.ADD_PARTITIONS_TO_TXN_RETRY_MAX_MS));
  }

  @Test
  void everyBrokerHasTheSameValidClusterId() throws IOException {
    List<String> ids = new ArrayList<>();
    for (String broker : brokerServices()) {
      ids.add(environment(services().get(broker)).get("CLUSTER_ID"));
    }
    assertThat(ids).doesNotContainNull().containsOnly(ids.get(0));
    // What kafka-storage.sh format checks: a base64url UUID of 16 bytes.
    assertThatCode(() -> Uuid.fromString(ids.get(0))).doesNotThrowAnyException();
  }

  @Test
  void kafkasStorageToolFormatsWithTheComposeClusterId(@TempDir Path dir) throws Exception {
    String id = environment(services().get("kafka-1")).get("CLUSTER_ID");
    int controller = RealKafka.freePort();
    Path props = dir.resolve("server.properties");
    Files.writeString(props, String.join("\n", "process.roles=broker,controller", "node.id=1", "controller.quorum.voters=1@127.0.0.1:" + controller,
        "controller.listener.names=CONTROLLER", "listeners=PLAINTEXT://127.0.0.1:" + RealKafka.freePort() + ",CONTROLLER://127.0.0.1:" + controller,
        "log.dirs=" + dir.resolve("data"), ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", LocalKafka.currentClasspath(), "kafka.tools.StorageTool", "format", "-t", id, "-c", props.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("format.out").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("format.out"))).isZero();
    assertThat(Files.readString(dir.resolve("data").resolve("meta.properties"))).contains("cluster.id=" + id);
  }

  @Test
  void everyStreamlearnVariableIsARealSettingWithAValidValue() throws IOException {
    int checked = 0;
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      Map<String, String> env = environment(service.getValue());
      for (String variable : env.keySet()) {
        if (variable.startsWith("STREAMLEARN_") && !variable.equals(LAUNCHER_VARIABLE)) {
          String setting = StreamlearnConfig.settingOfEnvironmentVariable(variable);
          assertThat(setting).as(service.getKey() + ": " + variable + " sets no setting").isNotNull();
          assertThat(StreamlearnConfig.DEF.names().contains(setting) || setting.startsWith("kafka.")).as(variable).isTrue();
          checked++;
        }
      }
      // The values too: an app would fail at start-up naming the setting.
      assertThatCode(() -> StreamlearnConfig.load(null, env, Map.of())).as(service.getKey()).doesNotThrowAnyException();
    }
    assertThat(checked).isGreaterThan(5);
    assertThat(Files.readString(DOCKER.resolve("Dockerfile"))).contains("$" + LAUNCHER_VARIABLE);
  }

  @Test
  void composeReplicationSettingAgreesWithTheBrokers() throws IOException {
    short rf = new ClusterReplication(brokerServices().size()).replicationFactor();
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      String set = environment(service.getValue()).get("STREAMLEARN_TOPIC_REPLICATION_FACTOR");
      if (set != null) {
        assertThat(Short.parseShort(set)).as(service.getKey()).isIn((short) -1, rf);
      }
    }
  }

  @Test
  void theClientFilesInitShWritesHoldOnlyRealSettings() throws IOException {
    String script = Files.readString(DOCKER.resolve("secure").resolve("init.sh"));
    Matcher m = Pattern.compile("cat > \"\\$S/\\$p\\.properties\" <<PROPS\\n(.*?)\\nPROPS\\n", Pattern.DOTALL).matcher(script);
    assertThat(m.find()).isTrue();
    Properties p = new Properties();
    p.load(new StringReader(m.group(1)));
    Map<String, String> values = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> values.put(k, "x"));
    assertThat(values).containsKeys("bootstrap.servers", "security.protocol");
    assertThatCode(() -> StreamlearnConfig.of(values)).doesNotThrowAnyException();
  }
}
