package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * A poll's eval records are all handled before any snapshot check, whatever order the fetches gave: the
 * consumer's position already counts them as read when a snapshot's eval catch-up runs.
 */
class HandlePollTest {

  private static final String EVAL = "records.eval";

  @RepeatedTest(50)
  void everySnapshotCheckComesAfterAllOfThePollsEvalRecords(RepetitionInfo rep) {
    Random rnd = new Random(rep.getCurrentRepetition());
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic : List.of("records.train", EVAL, "model.commands")) {
      for (int p = 0; p < 1 + rnd.nextInt(3); p++) {
        parts.add(new TopicPartition(topic, p));
      }
    }
    Collections.shuffle(parts, rnd);
    Map<TopicPartition, List<ConsumerRecord<String, String>>> byPartition = new LinkedHashMap<>();
    for (TopicPartition tp : parts) {
      List<ConsumerRecord<String, String>> rs = new ArrayList<>();
      for (int i = 0; i < rnd.nextInt(5); i++) {
        rs.add(new ConsumerRecord<>(tp.topic(), tp.partition(), 10L + i, null, tp + "@" + i));
      }
      if (!rs.isEmpty()) {
        byPartition.put(tp, rs);
      }
    }
    ConsumerRecords<String, String> polled = new ConsumerRecords<>(byPartition, Map.of());
    List<ConsumerRecord<String, String>> asPolled = new ArrayList<>();
    polled.forEach(asPolled::add);
    List<ConsumerRecord<String, String>> eval = asPolled.stream().filter(r -> r.topic().equals(EVAL)).toList();
    List<ConsumerRecord<String, String>> other = asPolled.stream().filter(r -> !r.topic().equals(EVAL)).toList();

    List<ConsumerRecord<String, String>> handled = new ArrayList<>();
    List<Integer> handledAtChecks = new ArrayList<>();
    ModelUpdater.handlePoll(polled, EVAL, handled::add, () -> handledAtChecks.add(handled.size()));

    List<ConsumerRecord<String, String>> expected = new ArrayList<>(eval);
    expected.addAll(other);
    assertThat(handled).as("eval records first, then the rest, each group in poll order").containsExactlyElementsOf(expected);
    assertThat(handledAtChecks).as("one snapshot check after each other record, none before the eval records are all in")
        .hasSize(other.size()).allMatch(n -> n > eval.size());
  }
}
