package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.JsonRenderer;
import dev.streamlearn.schemas.KnownSchemas;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "consume", mixinStandardHelpOptions = true,
    description = {"Print a topic as JSON lines on stdout, Avro decoded (read_committed).",
        "By default from the beginning to the current end, then exit.",
        "A records.train record carrying synthetic records (SMOTE) prints them as lines of their own after it,",
        "with its partition and offset: one line per record learnt."})
public final class ConsumeCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "TOPIC", description = "Full name, or records.raw / raw, records.dlq / dlq, model.current, ...")
  String topic;

  @Option(names = "--from", defaultValue = "beginning",
      description = "beginning, end, an offset (every partition), or an ISO-8601 time such as 2026-11-28T10:00:00Z. Default: ${DEFAULT-VALUE}.")
  String from;

  @Option(names = "--limit", defaultValue = "0", description = "Stop after this many lines (records, carried ones included); 0: no limit.")
  long limit;

  @Option(names = {"-f", "--follow"}, description = "Keep reading new records until interrupted.")
  boolean follow;

  @Option(names = "--partition", description = "Only this partition.")
  Integer partition;

  @Option(names = "--value-only", description = "Print only the decoded value, without topic/partition/offset/key.")
  boolean valueOnly;

  @Override
  public Integer call() {
    String name = options.resolveTopic(topic);
    JsonRenderer renderer = new JsonRenderer();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    AtomicBoolean stop = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
    long printed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = options.clients().consumer()) {
      List<TopicPartition> parts = TopicReader.partitions(consumer, name).stream()
          .filter(tp -> partition == null || tp.partition() == partition).toList();
      consumer.assign(parts);
      seek(consumer, parts);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts));
      while (!stop.get()) {
        if (!follow) {
          if (TopicReader.caughtUp(consumer, end)) {
            break;
          }
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!follow && r.offset() >= end.getOrDefault(new TopicPartition(r.topic(), r.partition()), Long.MIN_VALUE)) {
            continue;
          }
          for (JsonNode line : lines(r, renderer)) {
            out.println(line.toString());
            if (limit > 0 && ++printed >= limit) {
              out.flush();
              return 0;
            }
          }
        }
        out.flush();
      }
    }
    out.flush();
    return 0;
  }

  private void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts) {
    if (from.equals("beginning")) {
      consumer.seekToBeginning(parts);
    } else if (from.equals("end")) {
      consumer.seekToEnd(parts);
    } else if (from.matches("\\d+")) {
      long off = Long.parseLong(from);
      parts.forEach(tp -> consumer.seek(tp, off));
    } else {
      long ts = Instant.parse(from).toEpochMilli();
      Map<TopicPartition, Long> q = new HashMap<>();
      parts.forEach(tp -> q.put(tp, ts));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(q);
      Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
      parts.forEach(tp -> consumer.seek(tp, found.get(tp) == null ? ends.get(tp) : found.get(tp).offset()));
    }
  }

  /**
   * One line per record, except that a records.train record carrying synthetic records prints them as lines of their
   * own after it, with its partition and offset and their own id as key, so that every record learnt is one line.
   */
  private List<JsonNode> lines(ConsumerRecord<byte[], byte[]> r, JsonRenderer renderer) {
    JsonNode value = renderer.render(r.value());
    JsonNode carried = value.isObject() && writtenAsProcessedRecord(r.value()) ? ((ObjectNode) value).remove(CARRIED) : null;
    List<JsonNode> values = new java.util.ArrayList<>(List.of(value));
    if (carried != null && carried.isArray()) {
      carried.forEach(c -> {
        if (c.isObject()) {
          ((ObjectNode) c).remove(CARRIED);
        }
        values.add(c);
      });
    }
    if (valueOnly) {
      return values;
    }
    List<JsonNode> out = new java.util.ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      ObjectNode o = envelope(r, values.get(i));
      if (i > 0) {
        o.put("key", values.get(i).path("id").asText(null));
      }
      out.add(o);
    }
    return out;
  }

  /** ProcessedRecord's field for the synthetic records a training record carries. */
  private static final String CARRIED = "synthetics";

  /** A ProcessedRecord schema with 'synthetics' (any version since): a user's raw JSON with such a field is printed as it is. */
  private static boolean writtenAsProcessedRecord(byte[] value) {
    if (!Avro.isSingleObject(value)) {
      return false;
    }
    Schema writer = KnownSchemas.get().findByFingerprint(ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    return writer != null && writer.getFullName().equals(ProcessedRecord.getClassSchema().getFullName()) && writer.getField(CARRIED) != null;
  }

  static ObjectNode envelope(ConsumerRecord<byte[], byte[]> r, JsonRenderer renderer) {
    return envelope(r, renderer.render(r.value()));
  }

  private static ObjectNode envelope(ConsumerRecord<byte[], byte[]> r, JsonNode value) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("topic", r.topic());
    o.put("partition", r.partition());
    o.put("offset", r.offset());
    o.put("timestamp", r.timestamp());
    o.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
    o.set("value", value);
    return o;
  }
}
