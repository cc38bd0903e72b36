package dev.streamlearn.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every streamlearn setting, declared once with its type, default, validator and documentation.
 * Values come from, lowest precedence first: these defaults, a properties file, environment
 * variables ({@code STREAMLEARN_DEDUP_RETENTION_MS} for {@code dedup.retention.ms}; see
 * {@link #settingOfEnvironmentVariable}), then command-line overrides. A wrong value fails at start-up with a {@link ConfigException} naming
 * the setting.
 *
 * <p>Kafka client settings pass through untouched: {@code kafka.X} goes to every client
 * (producer, consumer, admin, streams), {@code kafka.producer.X}, {@code kafka.consumer.X},
 * {@code kafka.admin.X} and {@code kafka.streams.X} to one kind. Bare {@code security.protocol},
 * {@code sasl.*} and {@code ssl.*} keys are accepted as shorthand for {@code kafka.*}.
 */
public final class StreamlearnConfig extends AbstractConfig {

  // ---- Kafka and topics
  public static final String BOOTSTRAP = "bootstrap.servers";
  public static final String TOPIC_PREFIX = "topic.prefix";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String TOPIC_REPLICATION = "topic.replication.factor";
  public static final String TOPIC_RETENTION_MS = "topic.retention.ms";
  public static final String READ_TIMEOUT_MS = "client.read.timeout.ms";
  public static final String METRICS_PORT = "metrics.port";
  public static final String LOCAL_KAFKA_DIR = "local.kafka.dir";
  public static final String LOCAL_KAFKA_PORT = "local.kafka.port";
  public static final String LOCAL_KAFKA_CONTROLLER_PORT = "local.kafka.controller.port";
  public static final String LOCAL_KAFKA_HEAP = "local.kafka.heap";
  // ---- Dataset spec
  public static final String FEATURES = "features";
  public static final String LABELS = "labels";
  public static final String WARMUP_RECORDS = "dataset.warmup.records";
  public static final String WARMUP_MAX_RECORDS = "dataset.warmup.max.records";
  public static final String LABEL_MIN_RECORDS = "dataset.label.min.records";
  // ---- Clean
  public static final String MISSING_POLICY = "missing";
  public static final String EXTRA_POLICY = "extra";
  public static final String MAX_RECORD_BYTES = "clean.max.record.bytes";
  public static final String FEATURE_MAX_ABS = "clean.feature.max.abs";
  public static final String MAX_FUTURE_MS = "clean.max.future.ms";
  public static final String CLIP_K = "clean.outlier.clip.k";
  public static final String PII_FIELDS = "pii.fields";
  public static final String PII_MODE = "pii.mode";
  public static final String PII_SECRET = "pii.secret";
  // ---- Dedup, normalize, split, rebalance
  public static final String DEDUP_KEY = "dedup.key";
  public static final String DEDUP_RETENTION_MS = "dedup.retention.ms";
  public static final String NORMALIZE_METHOD = "normalize.method";
  public static final String NORMALIZE_WARMUP_RECORDS = "normalize.warmup.records";
  public static final String NORMALIZE_WARMUP_MAX_WAIT_MS = "normalize.warmup.max.wait.ms";
  public static final String EVAL_FRACTION = "split.eval.fraction";
  public static final String REBALANCE_MODE = "rebalance.mode";
  public static final String REBALANCE_TARGET_RATIO = "rebalance.target-ratio";
  public static final String REBALANCE_K = "rebalance.k";
  public static final String REBALANCE_RESERVOIR = "rebalance.reservoir.size";
  public static final String REBALANCE_MAX_PER_RECORD = "rebalance.max.synthetic.per.record";
  public static final String REBALANCE_MIN_CLASS_RECORDS = "rebalance.min.class.records";
  public static final String REBALANCE_MAX_WEIGHT = "rebalance.max.weight";
  public static final String REBALANCE_SEED = "rebalance.seed";
  public static final String REBALANCE_FLOW_MARGIN = "rebalance.flow.margin";
  public static final String REBALANCE_SETTLE_IDLE_MS = "rebalance.settle.idle.ms";
  // ---- Streams app
  public static final String APPLICATION_ID = "streams.application.id";
  public static final String PROCESSING_GUARANTEE = "streams.processing.guarantee";
  public static final String COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
  public static final String STREAM_THREADS = "streams.num.threads";
  public static final String STATE_DIR = "streams.state.dir";
  public static final String CLEAN_TOPIC_ENABLED = "streams.clean.topic.enabled";
  public static final String STATS_PUBLISH_MS = "stats.publish.interval.ms";
  // ---- Model updater
  public static final String MODEL_NAME = "model.name";
  public static final String HIDDEN_LAYERS = "updater.hidden.layers";
  public static final String WIDE = "updater.wide";
  public static final String ACTIVATION = "updater.activation";
  public static final String OPTIMIZER = "updater.optimizer";
  public static final String LEARNING_RATE = "updater.learning.rate";
  public static final String LR_DECAY = "updater.learning.rate.decay";
  public static final String MOMENTUM = "updater.momentum";
  public static final String L2 = "updater.l2";
  public static final String HIDDEN_L2 = "updater.hidden.l2";
  public static final String DROPOUT = "updater.dropout";
  public static final String GRADIENT_CLIP = "updater.gradient.clip";
  public static final String BATCH_SIZE = "updater.batch.size";
  public static final String SEED = "updater.seed";
  public static final String SNAPSHOT_EVERY_RECORDS = "updater.snapshot.every.records";
  public static final String SNAPSHOT_EVERY_MS = "updater.snapshot.every.ms";
  public static final String EVAL_WINDOW = "updater.eval.window";
  public static final String REPLAY_BATCHES = "updater.replay.batches";
  public static final String REPLAY_BUFFER = "updater.replay.buffer";
  public static final String REST_EPOCHS = "updater.rest.epochs";
  public static final String REST_MAX_RECORDS = "updater.rest.max.records";
  public static final String REST_IDLE_MS = "updater.rest.idle.ms";
  public static final String AVERAGE_DECAY = "updater.average.decay";
  public static final String FIT_THREAD = "updater.fit.thread";
  public static final String GATE_ENABLED = "updater.gate.enabled";
  public static final String GATE_TOLERANCE = "updater.gate.tolerance";
  public static final String GATE_METRIC = "updater.gate.metric";
  public static final String GATE_CONFIDENCE = "updater.gate.confidence";
  public static final String GATE_MIN_RECORDS = "updater.gate.min.records";
  public static final String GATE_RESAMPLES = "updater.gate.resamples";
  public static final String CHUNK_BYTES = "updater.snapshot.chunk.bytes";
  public static final String CACHE_DIR = "updater.cache.dir";
  // ---- Snapshot authenticity and limits (the updater and every client)
  public static final String SNAPSHOT_SIGNING_KEY = "snapshot.signing.key";
  public static final String SNAPSHOT_SIGNING_KEY_FILE = "snapshot.signing.key.file";
  public static final String SNAPSHOT_MAX_BYTES = "snapshot.max.bytes";
  /** Shortest accepted signing key: an HMAC-SHA256 key should carry at least 128 bits of randomness. */
  public static final int SIGNING_KEY_MIN_CHARS = 32;

  private static final String PASSTHROUGH_PREFIX = "kafka.";
  private static final Pattern SECURITY_SHORTHAND = Pattern.compile("^(security\\.protocol|sasl\\..+|ssl\\..+)$");
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|jaas|credential|token|key\\.pem|keystore\\.key).*");

  /** -1 (the broker's default) or a real replication factor: 0 would be refused by the broker only at topic creation. */
  private static final ConfigDef.Validator REPLICATION_FACTOR = ConfigDef.LambdaValidator.with((name, value) -> {
    short rf = (Short) value;
    if (rf != -1 && rf < 1) {
      throw new ConfigException(name, value, "must be -1 (the brokers' default, at least min(3, brokers)) or at least 1");
    }
  }, () -> "-1, or at least 1");

  public static final ConfigDef DEF = new ConfigDef()
      .define(BOOTSTRAP, Type.STRING, "127.0.0.1:19092", Importance.HIGH,
          "Kafka bootstrap servers. The default is the local broker of 'streamlearn kafka start'.")
      .define(TOPIC_PREFIX, Type.STRING, "streamlearn.", Importance.MEDIUM,
          "Prefix of every topic name, so several pipelines can share a cluster.")
      .define(TOPIC_PARTITIONS, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
          "Partitions of the records.* topics.")
      .define(TOPIC_REPLICATION, Type.SHORT, (short) -1, REPLICATION_FACTOR, Importance.MEDIUM,
          "Replication factor of every topic, the Streams app's internal topics included. -1: the brokers' default.replication.factor, or "
              + "min(3, brokers) where that default is lower (Kafka's stock 1 on a multi-broker cluster); 'streamlearn kafka start' and "
              + "docker/compose.yaml set the default to min(3, brokers), with min.insync.replicas 2 from three brokers on.")
      .define(TOPIC_RETENTION_MS, Type.LONG, 7L * 24 * 3600 * 1000, Importance.LOW,
          "Retention of the records.* topics (the DLQ keeps 4 times longer).")
      .define(READ_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(100), Importance.LOW,
          "How long reading a whole topic (the CLI, CurrentModel, the updater's catalog) may make no progress before it fails naming the broker and the topic.")
      .define(METRICS_PORT, Type.INT, 0, Range.between(0, 65535), Importance.LOW,
          "Port on which 'streamlearn streams' and 'streamlearn updater' serve Prometheus metrics (GET /metrics, every interface); 0: none. Two processes on one host need two ports.")
      .define(LOCAL_KAFKA_DIR, Type.STRING, ".streamlearn/kafka", Importance.LOW,
          "Data, logs and pid file of the local broker; node i of a multi-broker local cluster lives in its subdirectory node-i.")
      .define(LOCAL_KAFKA_PORT, Type.INT, 19092, Range.between(1, 65535), Importance.LOW,
          "Client port of the local broker (loopback only); node i of a multi-broker local cluster listens on this + 2(i-1).")
      .define(LOCAL_KAFKA_CONTROLLER_PORT, Type.INT, 19093, Range.between(1, 65535), Importance.LOW,
          "KRaft controller port of the local broker; node i of a multi-broker local cluster: this + 2(i-1).")
      .define(LOCAL_KAFKA_HEAP, Type.STRING, "1g", Importance.LOW, "Heap of each local broker JVM.")
      .define(FEATURES, Type.LIST, "", Importance.HIGH,
          "Feature names in vector order. Empty: inferred from the first dataset.warmup.records valid records (and those already on records.raw then or arriving while it grows, up to dataset.warmup.max.records), then pinned.")
      .define(LABELS, Type.LIST, "", Importance.HIGH,
          "Label set in index order. Empty: the pinned one, or inferred. Either list may be set alone (labels for a class too rare to infer, say): the other is then the pinned one, or inferred.")
      .define(WARMUP_RECORDS, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
          "How many valid records of records.raw the spec inference waits for (up to the streams command's --spec-wait).")
      .define(WARMUP_MAX_RECORDS, Type.INT, 100_000, Range.atLeast(1), Importance.LOW,
          "Records already on records.raw when the inference has its dataset.warmup.records are read too, and those that follow while the topic keeps growing (at 1,000 records/s or more, measured each second, for 15 s at most: a file being loaded, not a live stream), up to this many valid ones: a class that first appears later in a file produced before the app started, or while it starts, is still found.")
      .define(LABEL_MIN_RECORDS, Type.INT, 3, Range.atLeast(1), Importance.LOW,
          "An inferred spec holds the labels that at least this many of the records the inference reads carry (and at least 0.01% of them): "
              + "a rare class (Shuttle's 10 of 58,000) is kept, a junk label seen once or twice is not. A junk label that repeats is a class to the inference: configure 'labels' then.")
      .define(MISSING_POLICY, Type.STRING, "reject", ValidString.in("reject", "impute-mean"), Importance.MEDIUM,
          "A missing feature: reject the record, or impute the running mean.")
      .define(EXTRA_POLICY, Type.STRING, "reject", ValidString.in("reject", "drop"), Importance.MEDIUM,
          "A feature not in the spec: reject the record, or drop the feature.")
      .define(MAX_RECORD_BYTES, Type.INT, 100_000, Range.atLeast(64), Importance.LOW,
          "Records larger than this are rejected as OVERSIZE.")
      .define(FEATURE_MAX_ABS, Type.DOUBLE, 1e15, Range.between(1.0, 1e150), Importance.LOW,
          "Features with a larger magnitude are rejected as OUT_OF_RANGE. The cap keeps the running variance finite (its square must fit a double).")
      .define(MAX_FUTURE_MS, Type.LONG, 24L * 3600 * 1000, Range.atLeast(0), Importance.LOW,
          "Event times more than this after the Kafka record's timestamp (or negative) are rejected as BAD_TIMESTAMP: one far-future time would expire the dedup window.")
      .define(CLIP_K, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
          "Clip normalized values at +-k standard deviations; 0 turns clipping off.")
      .define(PII_FIELDS, Type.LIST, "", Importance.MEDIUM,
          "Fields holding personal data: dropped or hashed before anything is stored or forwarded.")
      .define(PII_MODE, Type.STRING, "drop", ValidString.in("drop", "hash"), Importance.MEDIUM,
          "drop: remove pii.fields; hash: replace with HMAC-SHA256 keyed by pii.secret.")
      .define(PII_SECRET, Type.PASSWORD, "", Importance.MEDIUM, "HMAC key for pii.mode=hash.")
      .define(DEDUP_KEY, Type.STRING, "id", ValidString.in("id", "content"), Importance.MEDIUM,
          "Duplicates are records with the same id, or with the same label and features (content).")
      .define(DEDUP_RETENTION_MS, Type.LONG, 7L * 24 * 3600 * 1000, Range.atLeast(1000), Importance.MEDIUM,
          "How long, in event time, an id is remembered.")
      .define(NORMALIZE_METHOD, Type.STRING, "zscore", ValidString.in("zscore", "minmax"), Importance.MEDIUM,
          "Per-feature normalization.")
      .define(NORMALIZE_WARMUP_RECORDS, Type.INT, 200, Range.atLeast(0), Importance.MEDIUM,
          "Records of a partition held back (in order, with their headers, in a state store) until its running statistics "
              + "cover this many, so the first records are not normalized with the moments of one or two samples; then they flow "
              + "and the partition is warm for good. Held records count as 'held' (in flight). 0 turns the warm-up off; records "
              + "held under an earlier setting are then released at start. 200 puts the standard error of each feature's std "
              + "under about 5% for most distributions.")
      .define(NORMALIZE_WARMUP_MAX_WAIT_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
          "Longest wall-clock time a record waits in the warm-up: once the oldest held record of a partition has waited this "
              + "long (its arrival time is stored with it, so restarts do not reset it), everything the partition holds is released, "
              + "normalized with the statistics of the records seen so far, so a small or slow stream still flows. Such a release "
              + "does not end the warm-up: later records are held again until normalize.warmup.records is reached or they too have "
              + "waited this long. Only in this case does the output depend on timing.")
      .define(EVAL_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 1.0), Importance.MEDIUM,
          "Fraction of records (by a stable hash of the id) that go to records.eval.")
      .define(REBALANCE_MODE, Type.STRING, "smote", ValidString.in("smote", "undersample", "weight", "none"), Importance.MEDIUM,
          "How records.train is class-balanced: smote (synthetic records until every class has its target count), undersample, weight "
              + "(every record once, with a class weight), none. weight served the better model on an imbalanced binary set of integer-coded "
              + "features (CoIL 2000: it met the quality bar in every run, smote in one of six; docs/quality.md).")
      .define(REBALANCE_TARGET_RATIO, Type.DOUBLE, 1.0, Range.between(0.01, 1.0), Importance.MEDIUM,
          "Target of each class on records.train relative to the largest class's real (not synthetic) count, per partition: "
              + "smote tops a class up to ceil(ratio x largest), undersample keeps at most smallest / ratio of a class, weight weighs a class by ratio x largest / its count.")
      .define(REBALANCE_K, Type.INT, 5, Range.atLeast(1), Importance.LOW, "SMOTE neighbours.")
      .define(REBALANCE_RESERVOIR, Type.INT, 256, Range.atLeast(2), Importance.LOW,
          "Recent samples kept per class (per partition) for the neighbour search; bounds memory. The search is linear in it (see docs/benchmarks.md). May change between runs: each ring keeps its newest samples.")
      .define(REBALANCE_MAX_PER_RECORD, Type.INT, 50, Range.atLeast(1), Importance.LOW,
          "Most synthetic records of one class emitted after one real record: a class that lags its target (one that became eligible late) catches up over the following records, at this pace.")
      .define(REBALANCE_MIN_CLASS_RECORDS, Type.INT, 10, Range.atLeast(2), Importance.LOW,
          "Real records a class needs (per partition) before it is oversampled while records flow, or bounds undersampling; never fewer than rebalance.k + 1, "
              + "so that every base has k distinct neighbours. 10 (2k at the default k): the k neighbours are a choice among the class rather than all of it, "
              + "so synthetic records spread over dozens of segments instead of a few, while a class with a few dozen records per partition is still balanced. "
              + "A smaller class with two records or more is topped up when its partition settles (rebalance.settle.idle.ms), among its own records.")
      .define(REBALANCE_MAX_WEIGHT, Type.DOUBLE, 10.0, Range.atLeast(1.0), Importance.LOW,
          "rebalance.mode=weight: the largest class weight; bounds the weight of a class's first records (a class seen late or rarely), which would otherwise dominate the loss.")
      .define(REBALANCE_SEED, Type.LONG, 42L, Importance.LOW, "Seed of the oversampling RNG.")
      .define(REBALANCE_FLOW_MARGIN, Type.DOUBLE, 5.0, Range.between(0.0, 100.0), Importance.LOW,
          "smote: while records flow, a class is topped up only to ceil(margin x sqrt(target)) below its target, so that synthetic records "
              + "are not spent on gaps that are sampling noise (near-equal classes change places; synthetic records cannot be taken back, so "
              + "a class topped up on noise ends above its target). The rest is closed when the partition is at rest (rebalance.settle.idle.ms). With settling on, a class that arrived late and keeps pace with the target's growth since (within this margin of that growth) gets nothing while records flow: what it owed on arrival waits for the rest, since it may yet outgrow it. "
              + "0: top up every gap at once (a continuous stream is then balanced at every moment, and near-equal classes overshoot).")
      .define(REBALANCE_SETTLE_IDLE_MS, Type.LONG, 5000L, Range.atLeast(0), Importance.LOW,
          "smote: when a partition has had no training record for this long (wall clock), every class with two real records is topped up to its exact "
              + "target (at most 10,000 synthetic records a punctuation). Which records the settling synthetic records follow depends on where the stream paused. A pause mid-stream settles too, and the classes "
              + "then overshoot by what their own records add afterwards: 5 s outlasts a loaded producer's pauses here (1 s did not, at load 20). 0: never settle.")
      .define(APPLICATION_ID, Type.STRING, "", Importance.MEDIUM,
          "Kafka Streams application id (also its consumer group and internal topics' prefix). Empty: topic.prefix + 'preprocess'.")
      .define(PROCESSING_GUARANTEE, Type.STRING, "exactly_once_v2", ValidString.in("exactly_once_v2", "at_least_once"), Importance.MEDIUM,
          "Kafka Streams processing guarantee.")
      .define(COMMIT_INTERVAL_MS, Type.LONG, 50L, Range.atLeast(1), Importance.LOW,
          "Streams commit interval; under exactly-once, also how long output waits to become visible, once per hop: two for a record that crosses the repartition topic, one for a record keyed by its id. 50 ms: lower latency at no measurable throughput cost against 100 ms (see docs/benchmarks.md).")
      .define(STREAM_THREADS, Type.INT, 1, Range.atLeast(1), Importance.LOW, "Stream threads per instance.")
      .define(STATE_DIR, Type.STRING, ".streamlearn/state", Importance.LOW, "Kafka Streams state (RocksDB) directory.")
      .define(CLEAN_TOPIC_ENABLED, Type.BOOLEAN, false, Importance.LOW,
          "Also write every valid unique normalized record (train and eval, never synthetic) to records.clean. Off: records.train "
              + "(its real records) and records.eval together hold the same records, and the copy costs one more record written per "
              + "input (see docs/benchmarks.md). The topic is created either way, so turning this on needs no other change.")
      .define(STATS_PUBLISH_MS, Type.LONG, 1000L, Range.atLeast(10), Importance.LOW,
          "How often each partition publishes its normalizer stats and counters.")
      .define(MODEL_NAME, Type.STRING, "default", Importance.HIGH, "Name of the model the updater trains.")
      .define(HIDDEN_LAYERS, Type.LIST, "64,32", Importance.MEDIUM, "Widths of the hidden layers.")
      .define(WIDE, Type.BOOLEAN, true, Importance.MEDIUM,
          "Wide and deep: the inputs also go straight to the output layer, beside the last hidden layer, so the network is a linear model "
              + "plus an MLP (a DL4J ComputationGraph). On by default: the linear path keeps a noisy, mostly linear data set (CoIL 2000) "
              + "within reach of a batch logistic regression while the MLP keeps most of its gain where the signal is non-linear (docs/quality.md). "
              + "No effect without hidden layers (the network is then linear anyway).")
      .define(ACTIVATION, Type.STRING, "relu", ValidString.in("relu", "tanh", "sigmoid", "leakyrelu", "elu"), Importance.LOW,
          "Activation of the hidden layers.")
      .define(OPTIMIZER, Type.STRING, "adam", ValidString.in("adam", "sgd", "nesterovs"), Importance.MEDIUM,
          "adam, sgd, or nesterovs (SGD with Nesterov momentum).")
      .define(LEARNING_RATE, Type.DOUBLE, 0.005, Range.atLeast(0), Importance.MEDIUM, "Learning rate.")
      .define(LR_DECAY, Type.DOUBLE, 1.0, Range.between(0.0, 1.0), Importance.LOW,
          "Exponential decay of the learning rate per 1000 iterations; 1 keeps it constant.")
      .define(MOMENTUM, Type.DOUBLE, 0.9, Range.between(0.0, 1.0), Importance.LOW, "Momentum for nesterovs.")
      .define(L2, Type.DOUBLE, 0.001, Range.atLeast(0), Importance.LOW, "L2 regularization (of the output layer only when updater.hidden.l2 is non-negative, as by default).")
      .define(HIDDEN_L2, Type.DOUBLE, 0.01, Importance.LOW,
          "L2 regularization of the hidden layers, in place of updater.l2 there (which then covers the output layer only); negative: "
              + "updater.l2 everywhere. With updater.wide, a larger value here reins in the MLP where the data set has little non-linear signal while the "
              + "linear part keeps updater.l2 (docs/quality.md).")
      .define(DROPOUT, Type.DOUBLE, 0.0, Range.between(0.0, 0.99), Importance.LOW, "Dropout probability of hidden layers.")
      .define(GRADIENT_CLIP, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
          "Clip gradient elements at +-this value; 0 turns clipping off.")
      .define(BATCH_SIZE, Type.INT, 64, Range.atLeast(1), Importance.MEDIUM, "Mini-batch size.")
      .define(REPLAY_BATCHES, Type.INT, 4, Range.between(0, 100), Importance.MEDIUM,
          "Mini-batches replayed from a uniform reservoir of earlier training records after each new mini-batch, so one pass "
              + "over the stream gets closer to what a batch learner reaches (docs/quality.md measures it); 0 learns each record once.")
      .define(REPLAY_BUFFER, Type.INT, 50_000, Range.atLeast(1), Importance.LOW,
          "Training records the replay reservoir holds (memory: this many feature vectors).")
      .define(REST_EPOCHS, Type.INT, 100, Range.between(0, 1000), Importance.MEDIUM,
          "Training at rest: once no training record has arrived for updater.rest.idle.ms, the updater fits mini-batches drawn from its replay "
              + "reservoir until the records learnt have been fitted this many times each on average (new, replayed and rested fits counted; "
              + "up to updater.rest.max.records records), then publishes a snapshot, judged by the gate as any other. One pass over a small data "
              + "set leaves the network far from what a batch learner reaches (docs/quality.md); a large stream owes nothing. Every fifth real "
              + "record of the reservoir is held out of the rest (from 50 real records on): the rest keeps the parameters that score best on them "
              + "and stops after ten epochs without improvement, so a noisy data set is not overfit. "
              + "New records interrupt the rest; after a restart or a rollback the reservoir starts empty, and only the records read since owe "
              + "epochs. 0 turns it off.")
      .define(REST_MAX_RECORDS, Type.LONG, 1000L, Range.between(0, 1_000_000), Importance.LOW,
          "Training at rest covers the first this many records of a lineage (updater.rest.epochs x this many fitted samples in all), so its "
              + "cost is bounded: with the defaults at most 100,000 samples, and a lineage past about 20,000 records (whose replay fits each "
              + "record 1 + updater.replay.batches times) owes nothing.")
      .define(REST_IDLE_MS, Type.LONG, 3000L, Range.atLeast(100), Importance.LOW,
          "How long without a training record before the updater trains at rest (updater.rest.epochs).")
      .define(AVERAGE_DECAY, Type.DOUBLE, 0.999, Range.between(0.0, 0.99999), Importance.LOW,
          "Parameter averaging: when above 0, the network judged, snapshotted and served is an exponential moving average of the trained "
              + "parameters with this decay per gradient step (0.99-0.999 typical; the first steps use min(decay, (1+t)/(10+t)) so the "
              + "initial weights fade), while training continues on the raw parameters. 0 serves the trained parameters "
              + "themselves. A snapshot carries the averaged parameters with the optimizer state, so a restart trains on from the average.")
      .define(FIT_THREAD, Type.BOOLEAN, false, Importance.LOW,
          "Hand mini-batches (16 at a time) to a training thread of the updater's own, which fits them while the consumer's thread "
              + "polls, decodes and assembles the next. The network learnt is the same either way, bit for bit, unless updater.dropout is above 0 "
              + "(the masks then come from the training thread's random generator, seeded with updater.seed). Off by default: the consumer's own work is about 5% of the updater's CPU, "
              + "and on 2 cores shared with a broker the hand-off measured no faster (docs/benchmarks.md). false: fit on the consumer's "
              + "thread, between polls.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of weight initialization.")
      .define(SNAPSHOT_EVERY_RECORDS, Type.LONG, 5000L, Range.atLeast(1), Importance.MEDIUM,
          "Publish a snapshot after this many training records...")
      .define(SNAPSHOT_EVERY_MS, Type.LONG, 60_000L, Range.atLeast(100), Importance.MEDIUM,
          "...or this long after the first training record it would cover (so an updater that sat idle does not publish a version of one record).")
      .define(EVAL_WINDOW, Type.INT, 2000, Range.atLeast(10), Importance.MEDIUM,
          "Sliding window of recent eval records the metrics and the quality gate use.")
      .define(GATE_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
          "Hold a new snapshot (published, not served) when it is worse than the current version on the same eval records with the configured confidence; off: promote every snapshot.")
      .define(GATE_METRIC, Type.STRING, "roc_auc", ValidString.in("roc_auc", "log_loss", "balanced_accuracy", "macro_f1"), Importance.MEDIUM,
          "Metric the gate compares (log_loss: lower is better). roc_auc (one-vs-rest macro with several classes) by default: on imbalanced data it "
              + "weighs every class equally and, unlike balanced_accuracy and macro_f1, does not hinge on the argmax threshold, which moves as the "
              + "rebalanced training stream shifts the model's priors; log_loss scores calibration, which that same rebalancing skews on purpose.")
      .define(GATE_CONFIDENCE, Type.DOUBLE, 0.95, Range.between(0.5, 0.999), Importance.MEDIUM,
          "Confidence of the paired-bootstrap interval of candidate - current; a snapshot is held only if the whole interval is on the worse side.")
      .define(GATE_MIN_RECORDS, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
          "Fewest eval records the gate judges on; with fewer it does not judge and promotes, saying so in the reason (holding on no evidence would "
              + "freeze an early version).")
      .define(GATE_RESAMPLES, Type.INT, 1000, Range.between(100, 100_000), Importance.LOW,
          "Bootstrap resamples per gate decision (seeded by updater.seed, so a decision is a function of the records).")
      .define(GATE_TOLERANCE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
          "Worsening too small to matter, in the gate metric's units: held only if the whole interval is worse by more than this. 0: any worsening "
              + "the test is confident of.")
      .define(CHUNK_BYTES, Type.INT, 512 * 1024, Range.between(1024, 900 * 1024), Importance.LOW,
          "Snapshot chunk size; below the broker's default 1 MB message limit.")
      .define(CACHE_DIR, Type.STRING, ".streamlearn/model-cache", Importance.LOW,
          "RocksDB cache of verified snapshots.")
      .define(SNAPSHOT_SIGNING_KEY, Type.PASSWORD, "", new SigningKeyValidator(), Importance.HIGH,
          "Shared HMAC-SHA256 key: the updater signs every snapshot with it, and the updater and every client refuse a snapshot whose signature does not verify. "
              + "Empty: the key in snapshot.signing.key.file (the local tools create one); no key at all: snapshots cannot be published or loaded.")
      .define(SNAPSHOT_SIGNING_KEY_FILE, Type.STRING, ".streamlearn/snapshot-signing.key", Importance.LOW,
          "Where the key is read from when snapshot.signing.key is empty; 'streamlearn updater' and 'quickstart' create it once (random, permissions 600).")
      .define(SNAPSHOT_MAX_BYTES, Type.LONG, 1L << 30, Range.between(1024L, (long) Integer.MAX_VALUE - 8), Importance.LOW,
          "Largest snapshot a reader assembles; chunk metadata claiming more is refused before anything is allocated.");

  /** Empty (use the key file) or a key long enough to be one. */
  private static final class SigningKeyValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String key = value == null ? "" : ((org.apache.kafka.common.config.types.Password) value).value();
      if (!key.isEmpty() && key.length() < SIGNING_KEY_MIN_CHARS) {
        // the value itself is never put in the message: it is a secret
        throw new ConfigException(name + " must be empty or at least " + SIGNING_KEY_MIN_CHARS + " characters long (it is " + key.length() + ")");
      }
    }

    @Override
    public String toString() {
      return "empty, or at least " + SIGNING_KEY_MIN_CHARS + " characters";
    }
  }

  private final Map<String, String> raw;

  private StreamlearnConfig(Map<String, String> raw) {
    super(DEF, raw, false);
    this.raw = Map.copyOf(raw);
  }

  /** Defaults plus the given values only: for tests. */
  public static StreamlearnConfig of(Map<String, String> values) {
    return new StreamlearnConfig(normalize(values));
  }

  /**
   * Layers: defaults, then the file (if non-null), then environment, then overrides.
   *
   * @throws ConfigException for an unreadable file or an invalid value
   */
  public static StreamlearnConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> merged = new TreeMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(k -> merged.put(k, p.getProperty(k).trim()));
    }
    env.forEach((k, v) -> {
      String key = settingOfEnvironmentVariable(k);
      if (key != null) {
        merged.put(key, v);
      }
    });
    merged.putAll(overrides);
    return new StreamlearnConfig(normalize(merged));
  }

  private static final String ENV_PREFIX = "STREAMLEARN_";
  private static final Pattern ENV_PASSTHROUGH = Pattern.compile("^(KAFKA_|SECURITY_PROTOCOL$|SASL_|SSL_).*");

  /**
   * The setting an environment variable sets, or null when it sets none. Only variables named
   * after a defined setting count ({@code STREAMLEARN_} plus the name upper-cased with every '.'
   * and '-' as '_', so {@code rebalance.target-ratio} is {@code STREAMLEARN_REBALANCE_TARGET_RATIO}),
   * plus Kafka client settings ({@code STREAMLEARN_KAFKA_*} and the security shorthands, whose
   * names only hold dots). Anything else, such as {@code STREAMLEARN_DEBUG} or
   * {@code STREAMLEARN_HOME}, belongs to the launcher and is ignored here.
   */
  static String settingOfEnvironmentVariable(String variable) {
    if (!variable.startsWith(ENV_PREFIX)) {
      return null;
    }
    String rest = variable.substring(ENV_PREFIX.length());
    String defined = ENV_NAMES.get(rest);
    if (defined != null) {
      return defined;
    }
    return ENV_PASSTHROUGH.matcher(rest).matches() ? rest.toLowerCase(Locale.ROOT).replace('_', '.') : null;
  }

  private static String envName(String setting) {
    return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static final Map<String, String> ENV_NAMES = envNames();

  private static Map<String, String> envNames() {
    Map<String, String> out = new TreeMap<>();
    for (String name : DEF.names()) {
      String previous = out.put(envName(name), name);
      if (previous != null) {
        throw new IllegalStateException("settings " + previous + " and " + name + " share the environment variable " + ENV_PREFIX + envName(name));
      }
    }
    return out;
  }

  private static Map<String, String> normalize(Map<String, String> in) {
    Map<String, String> out = new TreeMap<>();
    in.forEach((k, v) -> out.put(SECURITY_SHORTHAND.matcher(k).matches() ? PASSTHROUGH_PREFIX + k : k, v));
    for (String k : out.keySet()) {
      if (!DEF.names().contains(k) && !k.startsWith(PASSTHROUGH_PREFIX)) {
        // The value is not repeated: a mistyped key may well hold a password.
        throw new ConfigException("unknown setting '" + k + "' (Kafka client settings take the prefix 'kafka.')");
      }
    }
    return out;
  }

  /** A copy with more overrides on top. */
  public StreamlearnConfig with(Map<String, String> overrides) {
    Map<String, String> m = new TreeMap<>(raw);
    m.putAll(normalize(overrides));
    return new StreamlearnConfig(m);
  }

  /**
   * Kafka client settings for one kind of client ("producer", "consumer", "admin", "streams"):
   * bootstrap servers, then every {@code kafka.X}, then every {@code kafka.KIND.X}.
   */
  public Map<String, Object> kafkaClient(String kind) {
    Map<String, Object> out = new TreeMap<>();
    out.put("bootstrap.servers", getString(BOOTSTRAP));
    String kindPrefix = PASSTHROUGH_PREFIX + kind + ".";
    raw.forEach((k, v) -> {
      if (k.startsWith(PASSTHROUGH_PREFIX) && !isKindScoped(k)) {
        out.put(k.substring(PASSTHROUGH_PREFIX.length()), v);
      }
    });
    raw.forEach((k, v) -> {
      if (k.startsWith(kindPrefix)) {
        out.put(k.substring(kindPrefix.length()), v);
      }
    });
    return out;
  }

  private static boolean isKindScoped(String key) {
    for (String kind : new String[] {"producer.", "consumer.", "admin.", "streams."}) {
      if (key.startsWith(PASSTHROUGH_PREFIX + kind)) {
        return true;
      }
    }
    return false;
  }

  /** The Streams application id: explicit, or derived from the topic prefix so pipelines sharing a cluster never share state. */
  public String applicationId() {
    String id = getString(APPLICATION_ID);
    return id.isEmpty() ? getString(TOPIC_PREFIX) + "preprocess" : id;
  }

  public String topic(TopicName name) {
    return getString(TOPIC_PREFIX) + name.suffix();
  }

  /** Every explicitly set value, secrets masked: safe to log. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    raw.forEach((k, v) -> out.put(k, isSecret(k) ? "[hidden]" : v));
    return out;
  }

  public static boolean isSecret(String key) {
    ConfigDef.ConfigKey def = DEF.configKeys().get(key);
    return (def != null && def.type == Type.PASSWORD) || SECRET_KEY.matcher(key).matches();
  }

  public Map<String, String> rawValues() {
    return raw;
  }
}
