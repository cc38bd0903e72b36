package dev.streamlearn.schemas;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;

/**
 * Walks Avro binary data along its writer schema without building anything, and refuses it as
 * soon as a length or an item count is larger than the bytes that remain. Avro's own decoder
 * allocates a string, bytes or collection from the length it reads before it reads the content, so
 * a 15-byte record claiming a 2 GB string costs 2 GB (or an {@link OutOfMemoryError}); after this
 * check passes, nothing the decoder allocates can be larger than the input. Strings must be valid
 * UTF-8 ({@link Utf8Check}): the decoder would read invalid bytes as U+FFFD. Every Avro value that
 * takes no bytes (null, an empty record) is bounded by {@link #MAX_ZERO_WIDTH_ITEMS} instead.
 *
 * <p>Avro's JVM-wide limits ({@code org.apache.avro.limits.*}) are set too, as a second line, but
 * they are read once when Avro first needs them, so they only hold if nothing touched Avro's
 * decoder before this class: the per-input check is the one to rely on.
 */
public final class AvroBounds {

  /** Largest string or bytes value accepted anywhere (the DLQ keeps originals up to ~9 MB). */
  public static final int MAX_STRING_BYTES = 16 * 1024 * 1024;
  /** Largest array or map accepted, in items. */
  public static final int MAX_COLLECTION_ITEMS = 1_000_000;
  /** Items of a type that takes no bytes (e.g. an array of nulls) cannot be bounded by the input size. */
  static final int MAX_ZERO_WIDTH_ITEMS = 10_000;
  /** Recursive schemas nest at most this deep. */
  static final int MAX_DEPTH = 64;

  static {
    setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_BYTES);
    setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_STRING_BYTES);
    setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
  }

  private static final Schema MAP_KEY = Schema.create(Schema.Type.STRING);

  private final byte[] in;
  private int pos;

  private AvroBounds(byte[] in, int offset) {
    this.in = in;
    this.pos = offset;
  }

  /** Makes sure the JVM-wide limits are set (loading this class sets them). */
  static void installLimits() {}

  /**
   * Checks that {@code bytes[offset..]} is exactly one datum of {@code writer}.
   *
   * @throws IllegalArgumentException naming what is wrong, and where
   */
  public static void check(byte[] bytes, int offset, Schema writer) {
    AvroBounds b = new AvroBounds(bytes, offset);
    b.walk(writer, 0);
    if (b.pos != bytes.length) {
      throw new IllegalArgumentException((bytes.length - b.pos) + " trailing bytes after the record");
    }
  }

  private void walk(Schema s, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
    }
    switch (s.getType()) {
      case NULL -> { }
      case BOOLEAN -> take(1, "boolean");
      case INT -> readVarint(5);
      case LONG -> readVarint(10);
      case FLOAT -> take(4, "float");
      case DOUBLE -> take(8, "double");
      case STRING -> {
        int len = length("string", MAX_STRING_BYTES);
        // Avro's decoder turns invalid UTF-8 into U+FFFD, so two different byte strings would read as one id or label.
        int bad = Utf8Check.firstInvalid(in, pos, pos + len);
        if (bad >= 0) {
          throw new IllegalArgumentException("a string is not valid UTF-8 (at byte " + bad + ")");
        }
        take(len, "string");
      }
      case BYTES -> take(length("bytes", MAX_STRING_BYTES), "bytes");
      case FIXED -> take(s.getFixedSize(), "fixed " + s.getFullName());
      case ENUM -> index(s.getEnumSymbols().size(), "enum " + s.getFullName());
      case UNION -> walk(s.getTypes().get(index(s.getTypes().size(), "union")), depth + 1);
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          walk(f.schema(), depth + 1);
        }
      }
      case ARRAY -> items(List.of(s.getElementType()), depth);
      case MAP -> items(List.of(MAP_KEY, s.getValueType()), depth);
      default -> throw new IllegalArgumentException("unsupported type " + s.getType());
    }
  }

  /** Array and map blocks: a count (negative: followed by the block's byte size), items, until a 0 count. */
  private void items(List<Schema> perItem, int depth) {
    boolean zeroWidth = perItem.stream().allMatch(AvroBounds::takesNoBytes);
    long total = 0;
    while (true) {
      long count = readVarint(10);
      if (count == 0) {
        return;
      }
      if (count < 0) {
        if (count == Long.MIN_VALUE) {
          throw new IllegalArgumentException("item count out of range");
        }
        count = -count;
        long blockBytes = readVarint(10);
        if (blockBytes < 0 || blockBytes > remaining()) {
          throw new IllegalArgumentException("block size " + blockBytes + " but " + remaining() + " bytes remain");
        }
      }
      total += count;
      long bound = zeroWidth ? MAX_ZERO_WIDTH_ITEMS : Math.min(remaining(), MAX_COLLECTION_ITEMS);
      if (total > bound) {
        throw new IllegalArgumentException("item count " + total + " but only " + remaining() + " bytes remain (at most " + bound + " items)");
      }
      for (long i = 0; i < count; i++) {
        for (Schema item : perItem) {
          walk(item, depth + 1);
        }
      }
    }
  }

  private static boolean takesNoBytes(Schema s) {
    return switch (s.getType()) {
      case NULL -> true;
      case FIXED -> s.getFixedSize() == 0;
      case RECORD -> s.getFields().stream().allMatch(f -> f.schema() != s && takesNoBytes(f.schema()));
      default -> false;
    };
  }

  private int index(int size, String what) {
    long i = readVarint(5);
    if (i < 0 || i >= size) {
      throw new IllegalArgumentException(what + " index " + i + " outside 0.." + (size - 1));
    }
    return (int) i;
  }

  private int length(String what, int max) {
    long len = readVarint(10);
    if (len < 0) {
      throw new IllegalArgumentException(what + " length is negative: " + len);
    }
    if (len > remaining()) {
      throw new IllegalArgumentException(what + " length " + len + " but only " + remaining() + " bytes remain");
    }
    if (len > max) {
      throw new IllegalArgumentException(what + " length " + len + " over the limit " + max);
    }
    return (int) len;
  }

  private void take(int n, String what) {
    if (n > remaining()) {
      throw new IllegalArgumentException(what + " needs " + n + " bytes but only " + remaining() + " remain");
    }
    pos += n;
  }

  /** A zig-zag varint of at most {@code maxBytes} bytes, decoded. */
  private long readVarint(int maxBytes) {
    long raw = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= in.length) {
        throw new IllegalArgumentException("truncated: a number runs past the end (0 bytes remain)");
      }
      int b = in[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new IllegalArgumentException("a number longer than " + maxBytes + " bytes");
  }

  private int remaining() {
    return in.length - pos;
  }

  private static void setIfAbsent(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }
}
