package dev.streamlearn.streams;

/** Names of the topology's state stores (each backed by RocksDB and a changelog topic). */
public final class Stores {
  /** Counters of the clean stage (raw, dlq.REASON), per raw partition. */
  public static final String CLEAN_COUNTERS = "clean-counters";
  /** Counters of the stages after the re-key (duplicates, clean, train, eval, per class, synthetic). */
  public static final String COUNTERS = "counters";
  /** Ids (or content hashes) seen within dedup.retention.ms of event time. */
  public static final String DEDUP = "dedup-ids";
  /** The partition's running normalizer statistics. */
  public static final String NORMALIZER = "normalizer-stats";
  /** Records held back while the partition's normalizer statistics warm up, and whether they have. */
  public static final String NORMALIZE_WARMUP = "normalize-warmup";
  /** The oversampler's per-class reservoirs and emitted counts. */
  public static final String REBALANCE = "rebalance-reservoir";

  private Stores() {}
}
