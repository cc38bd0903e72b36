package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Kafka client settings the streams app chooses: its own defaults, and the user's -D kafka.streams.* overriding them. */
class StreamsPropertiesTest {

  private static final String BACKOFF = StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);

  @Test
  void theStreamProducerRetriesAConcurrentTransactionAfter20MsNotTheClientDefault() {
    Properties p = PreprocessApp.streamsProperties(StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092")), "/tmp/unused");
    assertThat(p.get(BACKOFF)).isEqualTo(20);
    // what the producer makes of it: 20 ms, still doubling up to the client's maximum
    ProducerConfig producer = producerConfig(p);
    assertThat(producer.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(20L);
    assertThat(producer.getLong(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG)).isEqualTo(1000L);
  }

  @Test
  void aUserSettingWins() {
    Properties p = PreprocessApp.streamsProperties(StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "unused:9092",
        "kafka.streams.producer.retry.backoff.ms", "250")), "/tmp/unused");
    assertThat(producerConfig(p).getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(250L);
  }

  /** The stream thread's producer configuration as Kafka Streams derives it (serializers added as its client supplier does). */
  private static ProducerConfig producerConfig(Properties streams) {
    Map<String, Object> c = new java.util.HashMap<>(new StreamsConfig(streams).getProducerConfigs("client"));
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
    return new ProducerConfig(c);
  }
}
