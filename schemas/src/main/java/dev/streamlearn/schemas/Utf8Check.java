package dev.streamlearn.schemas;

/**
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
 * Jackson decodes some invalid sequences instead of refusing them (the overlong C0 AF reads as
 * '/'), which would let two different byte strings spell the same id or label; JSON records are
 * checked here first, without allocating, so every such record is MALFORMED.
 */
final class Utf8Check {

  private Utf8Check() {}

  /**
   * The index of the first unpaired UTF-16 surrogate in {@code s}, or -1 when there is none. Valid
   * UTF-8 bytes cannot spell one, but a JSON escape can ({@code "\ud800"}): such a string is not
   * Unicode text and has no UTF-8 form, so Avro would store it with {@code '?'} in its place.
   */
  static int firstUnpairedSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the first byte that starts an invalid sequence, or -1 when all of it is valid. */
  static int firstInvalid(byte[] b) {
    return firstInvalid(b, 0, b.length);
  }

  /** As {@link #firstInvalid(byte[])}, over {@code b[from .. to)}: the index (into {@code b}) of the first invalid sequence, or -1. */
  static int firstInvalid(byte[] b, int from, int to) {
    int i = from;
    int n = to;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min2;
      int max2 = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min2 = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min2 = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
        max2 = c == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min2 = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
        max2 = c == 0xF4 ? 0x8F : 0xBF; // above U+10FFFF
      } else {
        return i; // a continuation byte, C0/C1 (always overlong) or F5..FF
      }
      if (i + need >= n) { // truncated sequence
        return i;
      }
      int second = b[i + 1] & 0xff;
      if (second < min2 || second > max2) {
        return i;
      }
      for (int k = 2; k <= need; k++) {
        int cont = b[i + k] & 0xff;
        if (cont < 0x80 || cont > 0xBF) {
          return i;
        }
      }
      i += need + 1;
    }
    return -1;
  }
}
