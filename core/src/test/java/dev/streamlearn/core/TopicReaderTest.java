package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class TopicReaderTest {

  @Test
  void aReadWithoutABrokerFailsInTimeNamingTheBrokerAndTheTopic() throws Exception {
    String nobody = "127.0.0.1:" + RealKafka.freePort();
    KafkaClients clients = new KafkaClients(StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, nobody, StreamlearnConfig.READ_TIMEOUT_MS, "1500")));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> new TopicReader(clients).readAll("some.topic", r -> {})).isInstanceOf(TimeoutException.class)
        .hasMessageContaining(nobody).hasMessageContaining("some.topic");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("gives up after the deadline, not the client's default minute").isLessThan(15_000);
  }

  @Test
  void aWholeTopicIsReadUpToItsEnd() throws Exception {
    StreamlearnConfig config = RealKafka.config("reader", Map.of());
    KafkaClients clients = new KafkaClients(config);
    try (var admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    try (var p = clients.producer()) {
      for (int i = 0; i < 25; i++) {
        p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(config.topic(TopicName.DLQ), new byte[] {(byte) i})).get();
      }
    }
    assertThat(new TopicReader(clients).readAll(config.topic(TopicName.DLQ))).hasSize(25);
  }
}
