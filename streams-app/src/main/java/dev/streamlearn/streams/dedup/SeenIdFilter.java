package dev.streamlearn.streams.dedup;

/**
 * A Bloom filter over the keys the dedup store holds. Its "not seen" is certain, so a new key (most
 * records) skips the store's lookup: a window-store fetch opens a RocksDB iterator on each segment it
 * spans, and an iterator's seek cannot use RocksDB's own Bloom filters, so it reads every level's index
 * and costs more as the store grows. "Maybe seen" (a duplicate, or about one new key in a hundred) still
 * asks the store, which has the last word.
 *
 * <p>Keys are hashed once to 64 bits ({@link #hash}); the probes are derived from that hash
 * (Kirsch and Mitzenmacher's double hashing), so a record's key is hashed once for both the lookup and the add.
 */
final class SeenIdFilter {

  /** Share of keys never added that the filter calls "maybe seen" when it holds {@link #capacity()} keys. */
  static final double FALSE_POSITIVE_RATE = 0.01;

  private final long[] words;
  private final long mask;
  private final int probes;
  private final long capacity;
  private final double falsePositiveRate;
  private long added;

  /** @param capacity keys it holds at {@link #FALSE_POSITIVE_RATE}; beyond that {@link #full()} says it is full */
  SeenIdFilter(long capacity) {
    this(capacity, FALSE_POSITIVE_RATE);
  }

  /** @param capacity keys it holds at {@code falsePositiveRate}; beyond that {@link #full()} says it is full */
  SeenIdFilter(long capacity, double falsePositiveRate) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
      throw new IllegalArgumentException("false-positive rate must be in (0, 1): " + falsePositiveRate);
    }
    this.capacity = capacity;
    this.falsePositiveRate = falsePositiveRate;
    double ln2 = Math.log(2);
    double bitsWanted = capacity * -Math.log(falsePositiveRate) / (ln2 * ln2);
    // A power of two of at least 64 bits: probes are masked, not divided.
    long bits = Long.highestOneBit(Math.max(64L, (long) Math.ceil(bitsWanted)) - 1) << 1;
    if (bits <= 0 || bits > (1L << 36)) {
      throw new IllegalArgumentException("capacity too large for one filter: " + capacity);
    }
    this.words = new long[(int) (bits >>> 6)];
    this.mask = bits - 1;
    this.probes = (int) Math.max(1, Math.min(16, Math.round((double) bits / capacity * ln2)));
  }

  /**
   * The key's hash as the store sees it: the store compares the UTF-8 bytes {@code Serdes.String()} writes, where
   * an unpaired surrogate becomes {@code '?'}, so it hashes as {@code '?'} here too. Without that, an id with a lone
   * surrogate (a JSON escape such as {@code \ud800}) read back from the store at start-up would hash apart from
   * its resent copy, and the filter would let the duplicate through. The parser refuses such ids since session 10
   * (MALFORMED), so this only keeps the filter exact for any key the store can hold, whoever wrote it.
   */
  static long hash(String key) {
    // FNV-1a over the UTF-16 units (no encoding on the hot path), then a 64-bit finalizer to spread the bits.
    long h = 0xcbf29ce484222325L;
    int n = key.length();
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(key.charAt(i + 1))) {
          h = (h ^ c) * 0x100000001b3L;
          c = key.charAt(++i);
        } else {
          c = '?';
        }
      }
      h = (h ^ c) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  boolean mightContain(long hash) {
    long step = (hash >>> 32) | 1;
    long probe = hash;
    for (int i = 0; i < probes; i++, probe += step) {
      long bit = probe & mask;
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  void add(long hash) {
    long step = (hash >>> 32) | 1;
    long probe = hash;
    for (int i = 0; i < probes; i++, probe += step) {
      long bit = probe & mask;
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
    added++;
  }

  /** More keys added than it was sized for: its false-positive rate is climbing past the one it was sized for. */
  boolean full() {
    return added > capacity;
  }

  long added() {
    return added;
  }

  long capacity() {
    return capacity;
  }

  double falsePositiveRate() {
    return falsePositiveRate;
  }

  long sizeBytes() {
    return words.length * 8L;
  }
}
