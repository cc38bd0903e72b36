package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class DefaultReplicationTest {

  @Test
  void theBrokersDefaultStandsUnlessItIsBelowThreeOrTheBrokerCount() {
    assertThat(DefaultReplication.choose(1, 1)).isEqualTo((short) -1);
    assertThat(DefaultReplication.choose(1, 2)).isEqualTo((short) 2);
    assertThat(DefaultReplication.choose(1, 3)).as("a stock three-broker cluster").isEqualTo((short) 3);
    assertThat(DefaultReplication.choose(1, 9)).isEqualTo((short) 3);
    assertThat(DefaultReplication.choose(3, 3)).as("the local cluster and compose").isEqualTo((short) -1);
    assertThat(DefaultReplication.choose(5, 9)).as("an operator's higher default is kept").isEqualTo((short) -1);
    assertThat(DefaultReplication.choose(2, 9)).isEqualTo((short) 3);
  }

  @Test
  void anExplicitFactorIsNeverTouchedAndASingleStockBrokerKeepsItsDefault() throws Exception {
    StreamlearnConfig explicit = RealKafka.config("replication", Map.of(StreamlearnConfig.TOPIC_REPLICATION, "1"));
    StreamlearnConfig unset = RealKafka.config("replication", Map.of());
    try (Admin admin = new KafkaClients(unset).admin()) {
      assertThat(DefaultReplication.resolve(admin, explicit)).isSameAs(explicit);
      assertThat(DefaultReplication.resolve(admin, unset).getShort(StreamlearnConfig.TOPIC_REPLICATION)).isEqualTo((short) -1);
    }
  }
}
