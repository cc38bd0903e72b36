package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamlearnConfigTest {

  @Test
  void layersFileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s.properties");
    Files.writeString(file, "split.eval.fraction=0.2\nmodel.name=fromfile\nupdater.batch.size=32\n");
    StreamlearnConfig c = StreamlearnConfig.load(file,
        Map.of("STREAMLEARN_MODEL_NAME", "fromenv", "STREAMLEARN_UPDATER_BATCH_SIZE", "16", "PATH", "/bin"),
        Map.of("updater.batch.size", "8"));
    assertThat(c.getDouble(StreamlearnConfig.EVAL_FRACTION)).isEqualTo(0.2);
    assertThat(c.getString(StreamlearnConfig.MODEL_NAME)).isEqualTo("fromenv");
    assertThat(c.getInt(StreamlearnConfig.BATCH_SIZE)).isEqualTo(8);
    assertThat(c.getLong(StreamlearnConfig.DEDUP_RETENTION_MS)).isEqualTo(7L * 24 * 3600 * 1000);
  }

  @Test
  void theSigningKeyIsASecretCheckedForLengthWithoutEchoingIt() {
    assertThatThrownBy(() -> StreamlearnConfig.of(Map.of("snapshot.signing.key", "short-secret-value"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("snapshot.signing.key").hasMessageContaining("at least 32").hasMessageNotContaining("short-secret-value");
    String key = "k".repeat(40);
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("snapshot.signing.key", key));
    assertThat(c.getPassword(StreamlearnConfig.SNAPSHOT_SIGNING_KEY).value()).isEqualTo(key);
    assertThat(c.describe().get("snapshot.signing.key")).isEqualTo("[hidden]");
    assertThat(c.values().get("snapshot.signing.key").toString()).doesNotContain(key);
  }

  @Test
  void invalidValuesNameTheSetting() {
    assertThatThrownBy(() -> StreamlearnConfig.of(Map.of("split.eval.fraction", "1.5")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("split.eval.fraction");
    assertThatThrownBy(() -> StreamlearnConfig.of(Map.of("rebalance.mode", "magic")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rebalance.mode");
    assertThatThrownBy(() -> StreamlearnConfig.of(Map.of("no.such.setting", "1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no.such.setting");
  }

  @Test
  void securitySettingsPassThroughToEveryClientAndNeverShowInDescribe() {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of(
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\";",
        "kafka.ssl.truststore.password", "changeit",
        "kafka.producer.linger.ms", "20"));
    for (String kind : new String[] {"producer", "consumer", "admin", "streams"}) {
      Map<String, Object> p = c.kafkaClient(kind);
      assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
          .containsKey("sasl.jaas.config").containsEntry("ssl.truststore.password", "changeit");
    }
    assertThat(c.kafkaClient("producer")).containsEntry("linger.ms", "20");
    assertThat(c.kafkaClient("consumer")).doesNotContainKey("linger.ms").doesNotContainKey("producer.linger.ms");
    assertThat(c.describe().toString()).doesNotContain("hunter2").doesNotContain("changeit").contains("SASL_SSL");
  }

  @Test
  void environmentVariablesThatNameNoSettingAreIgnored() {
    StreamlearnConfig c = StreamlearnConfig.load(null,
        Map.of("STREAMLEARN_DEBUG", "1", "STREAMLEARN_HOME", "/opt/sl", "STREAMLEARN_JAVA_OPTS", "-Xmx1g", "STREAMLEARN_WHATEVER", "x"), Map.of());
    assertThat(c.rawValues()).isEmpty();
  }

  @Test
  void aHyphenatedSettingIsSetFromTheEnvironment() {
    StreamlearnConfig c = StreamlearnConfig.load(null,
        Map.of("STREAMLEARN_REBALANCE_TARGET_RATIO", "0.5", "STREAMLEARN_CLEAN_FEATURE_MAX_ABS", "1e6"), Map.of());
    assertThat(c.getDouble(StreamlearnConfig.REBALANCE_TARGET_RATIO)).isEqualTo(0.5);
    assertThat(c.getDouble(StreamlearnConfig.FEATURE_MAX_ABS)).isEqualTo(1e6);
  }

  @Test
  void kafkaClientSettingsStillComeFromTheEnvironment() {
    StreamlearnConfig c = StreamlearnConfig.load(null,
        Map.of("STREAMLEARN_KAFKA_PRODUCER_LINGER_MS", "20", "STREAMLEARN_SECURITY_PROTOCOL", "SSL", "STREAMLEARN_SASL_MECHANISM", "PLAIN"), Map.of());
    assertThat(c.kafkaClient("producer")).containsEntry("linger.ms", "20").containsEntry("security.protocol", "SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }

  @Test
  void everySettingHasItsOwnEnvironmentVariable() {
    for (String name : StreamlearnConfig.DEF.names()) {
      String variable = "STREAMLEARN_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
      assertThat(StreamlearnConfig.settingOfEnvironmentVariable(variable)).as(variable).isEqualTo(name);
    }
  }

  @Test
  void anUnknownSettingsErrorNamesTheKeyButNotTheValue() {
    assertThatThrownBy(() -> StreamlearnConfig.of(Map.of("pii.secrte", "hunter2")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pii.secrte").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> StreamlearnConfig.load(null, Map.of(), Map.of("kafak.sasl.jaas.config", "password=\"s3cret\"")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("kafak.sasl.jaas.config").hasMessageNotContaining("s3cret");
  }
}
