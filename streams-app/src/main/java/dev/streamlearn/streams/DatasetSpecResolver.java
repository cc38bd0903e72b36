package dev.streamlearn.streams;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.PinnedSpec;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEvent;
import dev.streamlearn.schemas.RawEventParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the dataset spec once and pins it on the stats topic (key {@code spec}), where every
 * instance, the model updater and the CLI find it. Configured features and labels win; else a
 * spec pinned earlier is reused; else it is inferred from the first valid-looking records of
 * records.raw (waiting for them if the topic is still empty): the feature names at least half of
 * them carry, sorted, and the labels at least {@code dataset.label.min.records} of them (and 0.01%)
 * carry, sorted (numerically when all labels are numbers). Records with a label outside the pinned set are later rejected as UNKNOWN_LABEL.
 */
public final class DatasetSpecResolver {

  public static final String SPEC_KEY = PinnedSpec.KEY;
  /** A feature is part of the spec when at least this share of warm-up records has it. */
  static final double MIN_FEATURE_SHARE = 0.5;
  /** Distinct feature names, and labels, the inference counts at most. */
  static final int MAX_NAMES = 10_000;
  /** Record bytes past which the inference reads no further than its warm-up: 100,000 records of 100 KB would be 10 GB. */
  static final long MAX_BYTES = 64L << 20;
  /**
   * A label is part of the spec when at least this share of the records read has it (and dataset.label.min.records of
   * them). Small on purpose: imbalanced data is what SMOTE is for, and a class left out of the spec is never learnt
   * (until session 14 the share was 1%, which rejected Shuttle's four rare classes, Covertype's smallest, a fraud class
   * at 0.2%). It bounds the classes a continuous target fed by mistake can make to 10,000.
   */
  static final double MIN_LABEL_SHARE = 0.0001;
  /** How long the inference follows a topic that is being loaded once its warm-up has arrived (a file still being produced). */
  static final Duration FOLLOW = Duration.ofSeconds(15);
  /** How often the inference measures the topic's growth while it follows it. */
  static final Duration FOLLOW_CHECK = Duration.ofSeconds(1);
  /**
   * Growth (records a second) that marks a bulk load, followed; below it the topic is a live stream, whose spec is pinned at
   * once (following a live stream only delays the start: cluster-check's 133/s producer ran 15 s ahead of the app).
   */
  static final long FOLLOW_MIN_RATE = 1_000;
  private static final Logger log = LoggerFactory.getLogger(DatasetSpecResolver.class);

  private final KafkaClients clients;
  private final StreamlearnConfig config;

  public DatasetSpecResolver(KafkaClients clients) {
    this.clients = clients;
    this.config = clients.config();
  }

  public DatasetSpec resolve(Duration waitForData) throws InterruptedException {
    List<String> configuredFeatures = config.getList(StreamlearnConfig.FEATURES);
    List<String> configuredLabels = config.getList(StreamlearnConfig.LABELS);
    Optional<DatasetSpec> pinned = pinned(clients);
    if (!configuredFeatures.isEmpty() || !configuredLabels.isEmpty()) {
      String source = "configured";
      List<String> features = configuredFeatures;
      List<String> labels = configuredLabels;
      if (features.isEmpty() || labels.isEmpty()) {
        // One list configured (labels, say, for a class too rare to be inferred): the other is the pinned one, or inferred.
        DatasetSpec base = pinned.isPresent() ? pinned.get() : infer(waitForData);
        String from = pinned.isPresent() ? "pinned" : "inferred";
        source = features.isEmpty() ? "configured labels, " + from + " features" : "configured features, " + from + " labels";
        features = features.isEmpty() ? base.getFeatures() : features;
        labels = labels.isEmpty() ? base.getLabels() : labels;
      }
      DatasetSpec spec = withPolicies(DatasetSpec.newBuilder().setFeatures(features).setLabels(labels).setSource(source)
          .setPinnedAt(System.currentTimeMillis()).build());
      advise(spec.getFeatures());
      if (pinned.isPresent() && !PinnedSpec.sameColumns(pinned.get(), spec)) {
        refuseOverState(pinned.get(), spec);
      }
      if (pinned.isEmpty() || !sameShape(pinned.get(), spec)) {
        pinned.ifPresent(p -> log.warn("configured spec {} / {} replaces the pinned one {} / {}", spec.getFeatures(), spec.getLabels(), p.getFeatures(),
            p.getLabels()));
        publish(spec);
      }
      return spec;
    }
    if (pinned.isPresent()) {
      DatasetSpec p = pinned.get();
      DatasetSpec now = withPolicies(DatasetSpec.newBuilder(p).build());
      if (!sameShape(p, now)) {
        // The transform policies follow the configuration: a restart with another 'missing' or clip re-pins them, so
        // every instance, the updater and every later snapshot agree on what serving must do.
        log.warn("configured policies missing={} extra={} clipK={} replace the pinned ones ({}, {}, {})", now.getMissing(), now.getExtra(),
            now.getClipK(), p.getMissing(), p.getExtra(), p.getClipK());
        publish(now);
      }
      return now;
    }
    DatasetSpec inferred = withPolicies(infer(waitForData));
    advise(inferred.getFeatures());
    Optional<DatasetSpec> raced = pinned(clients);
    if (raced.isPresent()) {
      return raced.get(); // another instance pinned first: everyone uses the same spec
    }
    publish(inferred);
    log.info("inferred and pinned dataset spec: features={} labels={}", inferred.getFeatures(), inferred.getLabels());
    return inferred;
  }

  /**
   * Another feature or label list than the pinned one, while the application keeps state built with the pinned
   * one: its normalizer statistics hold one moment per pinned feature, its reservoirs vectors of the pinned width
   * and its class counts one entry per pinned label, in the pinned order. Read with the new lists they fail the
   * stream thread at its first record (seen: BufferUnderflowException restoring the rebalance stage, the thread
   * replaced until the app gives up) or, worse, mean other columns. The state is the application's internal topics:
   * a reset (replay) deletes them, and a configured spec may then replace the pinned one.
   */
  private void refuseOverState(DatasetSpec pinned, DatasetSpec configured) {
    List<String> state = internalTopics();
    if (!state.isEmpty()) {
      throw new ConfigException("the configured spec (features=" + configured.getFeatures() + " labels=" + configured.getLabels()
          + ") is not the one pinned on " + config.topic(TopicName.STATS) + " (features=" + pinned.getFeatures() + " labels="
          + pinned.getLabels() + "), and the streams app " + config.applicationId() + " keeps state built with the pinned one ("
          + state.size() + " internal topic(s), e.g. " + state.get(0) + "); the lists are compared in order. To process records.raw again "
          + "under the new spec, stop every 'streamlearn streams' instance, run 'streamlearn replay --respec --yes' (add --truncate-outputs "
          + "to drop the old outputs) and delete streams.state.dir on every other host that ran one, or use another topic.prefix; to go "
          + "on with the pinned spec, leave 'features' and 'labels' unset");
    }
  }

  private List<String> internalTopics() {
    String app = config.applicationId();
    try (Admin admin = clients.admin()) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(t -> PipelineReset.isInternal(app, t)).sorted().toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing the topics of " + app, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the topics, to see whether the streams app " + app + " keeps state: " + e, e);
    }
  }

  private static boolean sameShape(DatasetSpec a, DatasetSpec b) {
    return PinnedSpec.sameColumns(a, b) && a.getMissing().equals(b.getMissing())
        && a.getExtra().equals(b.getExtra()) && a.getClipK() == b.getClipK() && a.getFeatureMaxAbs() == b.getFeatureMaxAbs();
  }

  /** The spec with the transform policies of the configuration: what training applies and serving must repeat. */
  private DatasetSpec withPolicies(DatasetSpec spec) {
    spec.setMissing(config.getString(StreamlearnConfig.MISSING_POLICY));
    spec.setExtra(config.getString(StreamlearnConfig.EXTRA_POLICY));
    spec.setClipK(config.getDouble(StreamlearnConfig.CLIP_K));
    spec.setFeatureMaxAbs(config.getDouble(StreamlearnConfig.FEATURE_MAX_ABS));
    return spec;
  }

  /** The spec pinned on the stats topic, if any. */
  public static Optional<DatasetSpec> pinned(KafkaClients clients) {
    return PinnedSpec.read(clients);
  }

  private void publish(DatasetSpec spec) {
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      p.send(new ProducerRecord<>(config.topic(TopicName.STATS), SPEC_KEY.getBytes(StandardCharsets.UTF_8), Avro.SPEC.encode(spec)));
      p.flush();
    }
  }

  /** What the last inference read: each feature name's count among its {@link #lastUsable} usable records (null before one). */
  private Map<String, Integer> lastSupport;
  private int lastUsable;

  /** Logs what the spec's features will cost records of the kind the inference read (nothing when no inference ran). */
  private void advise(List<String> features) {
    if (lastSupport != null) {
      coverageAdvice(lastSupport, lastUsable, new java.util.HashSet<>(features), config.getString(StreamlearnConfig.MISSING_POLICY),
          config.getString(StreamlearnConfig.EXTRA_POLICY)).forEach(log::warn);
    }
  }

  DatasetSpec infer(Duration waitForData) throws InterruptedException {
    int wanted = config.getInt(StreamlearnConfig.WARMUP_RECORDS);
    int most = Math.max(wanted, config.getInt(StreamlearnConfig.WARMUP_MAX_RECORDS));
    // Once the warm-up has its records, what is already on the topic then is read too (up to 'most'): a data set
    // produced before the app started, sorted or grouped by class, shows its late classes only further on.
    Map<TopicPartition, Long> readTo = null;
    RawEventParser parser = new RawEventParser();
    int maxBytes = config.getInt(StreamlearnConfig.MAX_RECORD_BYTES);
    java.util.Map<String, Integer> featureSupport = new java.util.HashMap<>();
    java.util.Map<String, Integer> labelSupport = new java.util.LinkedHashMap<>();
    int valid = 0;
    long bytes = 0;
    long deadline = System.nanoTime() + waitForData.toNanos();
    long lastNew = System.nanoTime();
    long followUntil = Long.MAX_VALUE;
    long endTotal = 0;
    long grewAt = 0;
    Map<String, Integer> skipped = new java.util.TreeMap<>();
    boolean toldUnusable = false;
    long lastPolled = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer()) {
      List<TopicPartition> parts = TopicReader.partitions(consumer, config.topic(TopicName.RAW));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      log.info("inferring the dataset spec from the first {} valid records of {} (and those there by then or arriving while it grows, "
          + "at {} records/s or more, for {} s at most, up to {})", wanted, config.topic(TopicName.RAW), FOLLOW_MIN_RATE, FOLLOW.toSeconds(), most);
      scan:
      while (true) {
        if (readTo != null && TopicReader.caughtUp(consumer, readTo)) {
          // What was there when the warm-up arrived is read. A producer still loading a file (Shuttle's 58,000 records
          // take it seconds) is followed while the topic grows at a bulk load's rate, for FOLLOW at most: a class further
          // on in the file is found too. Growth is measured over FOLLOW_CHECK, so the reader keeps reading meanwhile.
          long now = System.nanoTime();
          if (now > followUntil) {
            break;
          }
          if (now - grewAt >= FOLLOW_CHECK.toNanos()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            double perSecond = (total - endTotal) * 1e9 / (now - grewAt);
            if (perSecond < FOLLOW_MIN_RATE) {
              break;
            }
            readTo = new java.util.HashMap<>(end);
            endTotal = total;
            grewAt = now;
          }
        }
        var batch = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          RawEvent e;
          if (r.value() == null || r.value().length > maxBytes) {
            skipped.merge("empty or oversize", 1, Integer::sum);
            continue; // the clean stage rejects it as OVERSIZE; parsing it here would cost what that limit saves
          }
          try {
            e = parser.parse(r.value());
          } catch (MalformedRecordException ex) {
            skipped.merge("malformed", 1, Integer::sum);
            continue;
          } catch (Throwable ex) { // as in the clean stage: one hostile record must not stop the app from starting
            log.warn("warm-up skipped a record it could not parse at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.getClass().getName());
            skipped.merge("malformed", 1, Integer::sum);
            continue;
          }
          String unusable = e.id() == null || e.id().isBlank() ? "without an id"
              : e.label() == null || e.label().isBlank() ? "without a label"
              : e.features().isEmpty() ? "without a numeric feature (text values are metadata: encode categories as numbers)"
              : !e.features().values().stream().allMatch(Double::isFinite) ? "with a non-finite feature" : null;
          if (unusable != null) {
            skipped.merge(unusable, 1, Integer::sum);
            continue;
          }
          // Bounded whatever the records name: a name first seen past the cap could not reach its share anyway unless
          // nearly every later record carries it, and hostile records may each carry thousands of new names.
          e.features().keySet().forEach(f -> {
            if (featureSupport.size() < MAX_NAMES || featureSupport.containsKey(f)) {
              featureSupport.merge(f, 1, Integer::sum);
            }
          });
          String label = e.label().trim();
          if (labelSupport.size() < MAX_NAMES || labelSupport.containsKey(label)) {
            labelSupport.merge(label, 1, Integer::sum);
          }
          valid++;
          bytes += r.value().length;
          lastNew = System.nanoTime();
          if (valid >= most || (valid >= wanted && bytes >= MAX_BYTES)) {
            break scan;
          }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(parts); // one request for all partitions
        if (valid >= wanted && readTo == null) {
          readTo = new java.util.HashMap<>(end);
          endTotal = end.values().stream().mapToLong(Long::longValue).sum();
          grewAt = System.nanoTime();
          followUntil = grewAt + FOLLOW.toNanos();
          continue;
        }
        boolean caughtUp = parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
        if (valid > 0 && caughtUp && System.nanoTime() - lastNew > Duration.ofSeconds(3).toNanos()) {
          break; // fewer records than the warm-up window, and no more arriving
        }
        if (!batch.isEmpty()) {
          lastPolled = System.nanoTime();
        }
        if (valid == 0 && caughtUp && !skipped.isEmpty() && !toldUnusable && System.nanoTime() - lastPolled > Duration.ofSeconds(3).toNanos()) {
          // Records came and stopped, none of them usable: say why now rather than after the whole wait.
          log.warn("none of the {} records on {} can make the dataset spec: {}; waiting until {} s after the start for usable ones",
              skipped.values().stream().mapToInt(Integer::intValue).sum(), config.topic(TopicName.RAW), counted(skipped), waitForData.toSeconds());
          toldUnusable = true;
        }
        if (System.nanoTime() > deadline) {
          if (valid == 0) {
            throw new IllegalStateException("no valid record arrived on " + config.topic(TopicName.RAW) + " within " + waitForData.toSeconds()
                + " s to infer the dataset spec" + (skipped.isEmpty() ? "" : " (records read that could not make it: " + counted(skipped) + ")")
                + "; set 'features' and 'labels' or produce data first");
          }
          break;
        }
      }
    }
    // Dirty data has stray features and labels: keep what the bulk of the warm-up agrees on.
    int n = valid;
    TreeSet<String> features = new TreeSet<>();
    featureSupport.forEach((f, k) -> {
      if (k >= MIN_FEATURE_SHARE * n) {
        features.add(f);
      }
    });
    List<String> labels = inferredLabels(labelSupport, n, config.getInt(StreamlearnConfig.LABEL_MIN_RECORDS));
    lastSupport = featureSupport;
    lastUsable = n;
    return DatasetSpec.newBuilder().setFeatures(new ArrayList<>(features)).setLabels(labels).setSource("inferred").setPinnedAt(System.currentTimeMillis()).build();
  }

  /** "20 without a numeric feature (...), 1 malformed": counts first, most first. */
  static String counted(Map<String, Integer> why) {
    return why.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * What the inferred feature list will do to real data with missing values, where it will cost records: a feature
   * 1% or more of the records lack rejects them under missing=reject, and one too sparse for the spec (but no stray: 5% or more)
   * rejects the records that do carry it under extra=reject. Public data sets with gaps (UCI's Pima diabetes: insulin
   * missing in 49% of its records) hit both; the advice names the settings that keep those records.
   */
  static List<String> coverageAdvice(Map<String, Integer> support, int n, java.util.Set<String> kept, String missing, String extra) {
    List<String> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    // Rounded down, so that a feature some records lack never reads 100%.
    java.util.function.Function<Map.Entry<String, Integer>, String> share = e -> e.getKey() + " " + (int) Math.floor(100.0 * e.getValue() / n) + "%";
    // A feature that under 1% of records lack is dirty data's share (the quickstart's faults), not a column with gaps.
    List<String> gaps = support.entrySet().stream().filter(e -> kept.contains(e.getKey()) && e.getValue() <= 0.99 * n)
        .sorted(Map.Entry.comparingByValue()).map(share).toList();
    if (!gaps.isEmpty() && missing.equals("reject")) {
      out.add("features that some of the " + n + " records read lack (share carrying them): " + String.join(", ", gaps.subList(0, Math.min(10, gaps.size())))
          + (gaps.size() > 10 ? " and " + (gaps.size() - 10) + " more" : "")
          + "; with missing=reject the records without one go to the DLQ as MISSING_FEATURE: missing=impute-mean keeps them");
    }
    List<String> sparse = support.entrySet().stream().filter(e -> !kept.contains(e.getKey()) && e.getValue() >= 0.05 * n)
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).map(share).toList();
    if (!sparse.isEmpty() && extra.equals("reject")) {
      out.add("features left out of the spec, carried by fewer than half of the " + n + " records read: "
          + String.join(", ", sparse.subList(0, Math.min(10, sparse.size()))) + (sparse.size() > 10 ? " and " + (sparse.size() - 10) + " more" : "")
          + "; with extra=reject the records carrying one go to the DLQ as EXTRA_FEATURE: extra=drop ignores them, "
          + "or list them in 'features' (with missing=impute-mean)");
    }
    return out;
  }

  /** The labels carried by at least {@code minRecords} of the {@code n} records read, and {@link #MIN_LABEL_SHARE} of them, in label order. */
  static List<String> inferredLabels(java.util.Map<String, Integer> support, int n, int minRecords) {
    List<String> labels = new ArrayList<>();
    support.forEach((l, k) -> {
      // The old rule (1%, at least one) for a short read: never stricter than it where a label's 3 records are a large share.
      if (k >= Math.max(MIN_LABEL_SHARE * n, Math.min(minRecords, Math.max(1, 0.01 * n)))) {
        labels.add(l);
      }
    });
    labels.sort(labelOrder(labels));
    return labels;
  }

  static Comparator<String> labelOrder(List<String> labels) {
    boolean numeric = labels.stream().allMatch(l -> l.matches("-?\\d+(\\.\\d+)?"));
    return numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder();
  }
}
