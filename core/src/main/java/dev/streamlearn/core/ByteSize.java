package dev.streamlearn.core;

import java.util.Locale;

/** Byte counts as people read them in a terminal: {@code 512 KB}, {@code 71.3 MB}. */
public final class ByteSize {

  private ByteSize() {}

  public static String format(long bytes) {
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0) : String.format(Locale.ROOT, "%.0f KB", bytes / 1024.0);
  }
}
