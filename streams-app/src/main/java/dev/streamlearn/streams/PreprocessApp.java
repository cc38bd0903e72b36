package dev.streamlearn.streams;

import static dev.streamlearn.core.StreamlearnConfig.*;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/** Runs the preprocessing topology as a Kafka Streams application. */
public final class PreprocessApp implements AutoCloseable {

  private final KafkaStreams streams;
  private final Topology topology;

  public PreprocessApp(StreamlearnConfig config, DatasetSpec spec) {
    this(config, spec, config.getString(STATE_DIR));
  }

  public PreprocessApp(StreamlearnConfig config, DatasetSpec spec, String stateDir) {
    this.topology = PreprocessTopology.build(config, spec, rawPartitions(config));
    this.streams = new KafkaStreams(topology, streamsProperties(config, stateDir));
    // A thread killed by a broker fault is replaced (3 times in 5 minutes at most; then it is a bug).
    streams.setUncaughtExceptionHandler(new ThreadReplacement(3, 300_000, System::currentTimeMillis));
  }

  /**
   * Partitions of records.raw now, for {@link dev.streamlearn.streams.dedup.DedupPlacement}. Failing, not
   * falling back to "unknown", when they cannot be read: that would build another topology than the
   * other instances of the application run, and the app cannot run without records.raw anyway.
   */
  static int rawPartitions(StreamlearnConfig config) {
    String raw = config.topic(TopicName.RAW);
    try (Admin admin = new KafkaClients(config).admin()) {
      int partitions = admin.describeTopics(List.of(raw)).allTopicNames().get(30, TimeUnit.SECONDS).get(raw).partitions().size();
      refuseRepartitionedState(admin, config, raw, partitions);
      return partitions;
    } catch (ConfigException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the partitions of " + raw, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the partitions of " + raw + " (run 'streamlearn topics create' first): " + e, e);
    }
  }

  /**
   * Partitions added to records.raw after the app ran: the dedup and SMOTE state lives per partition of the old count,
   * and the repartition topic keeps it. Kafka Streams itself fails every stream thread on the mismatch (naming its own
   * reset tool) and the thread is replaced until the app gives up; this says it once, at start, with the way out.
   */
  private static void refuseRepartitionedState(Admin admin, StreamlearnConfig config, String raw, int partitions) throws Exception {
    String repartition = config.applicationId() + "-" + PreprocessTopology.REPARTITION + "-repartition";
    var found = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    if (!found.contains(repartition)) {
      return;
    }
    int kept = admin.describeTopics(List.of(repartition)).allTopicNames().get(30, TimeUnit.SECONDS).get(repartition).partitions().size();
    if (kept != partitions) {
      throw new ConfigException(raw + " has " + partitions + " partitions now, but the streams app " + config.applicationId()
          + " keeps its dedup and rebalance state in " + kept + " (its internal topic " + repartition + "): a record's duplicates "
          + "would be looked for in another partition's state. Stop every 'streamlearn streams' instance and run 'streamlearn replay "
          + "--yes' (it rebuilds that state from the beginning of " + raw + "; Kafka cannot take partitions away again)");
    }
  }

  public static Properties streamsProperties(StreamlearnConfig c, String stateDir) {
    Properties p = new Properties();
    p.putAll(c.kafkaClient("streams"));
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, c.getString(PROCESSING_GUARANTEE));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.getLong(COMMIT_INTERVAL_MS));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, c.getInt(STREAM_THREADS));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) c.getShort(TOPIC_REPLICATION));
    p.putIfAbsent("processing.exception.handler.global.enabled", true);
    // The DLQ carries oversize records whole (up to the raw topic's 8 MB limit).
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 10 * 1024 * 1024);
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    // Streams defaults linger.ms to 100: with two hops (raw -> repartition -> train) that alone adds up to 200 ms.
    // Under exactly-once each commit flushes anyway; at high rates batches fill before 5 ms.
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // A broker that waited its add.partitions.to.txn.retry.backoff.max.ms for the previous transaction's markers answers a
    // produce CONCURRENT_TRANSACTIONS; the stream thread's commit then waits in flush for the retry, which the default
    // backoff (100 ms, doubling) makes a stall (docs/benchmarks.md, session 17). 20 ms is the Java client's own backoff for
    // that answer to AddPartitionsToTxn; the doubling up to retry.backoff.max.ms (1 s) still spaces retries to a broker that is down.
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 20);
    p.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 10 * 1024 * 1024);
    // The dedup task reads a records.raw partition and, for mis-keyed records only, a repartition partition that
    // is mostly empty. Waiting to interleave the two by timestamp serves joins, and this topology has none; with
    // waiting enabled Kafka Streams 4.4 also formats a log message on every record while one input is empty
    // (2.3 of the stream thread's 44 µs of CPU per record in the profile of docs/benchmarks.md, session 8).
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    return p;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public Topology topology() {
    return topology;
  }

  public void start() {
    streams.start();
  }

  /**
   * Stops and leaves the consumer group, so the remaining or restarted instances rebalance at once
   * instead of waiting out the session timeout (Streams keeps its membership on close by default).
   */
  @Override
  public void close() {
    streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(java.time.Duration.ofSeconds(30)));
  }
}
