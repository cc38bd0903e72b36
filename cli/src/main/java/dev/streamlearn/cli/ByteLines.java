package dev.streamlearn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of a file as raw bytes, split on '\n' and nothing else: no charset is involved, so a
 * line of invalid UTF-8, NUL bytes or binary garbage comes out exactly as it is in the file (and
 * the clean stage, not the producer, decides that it is malformed). A '\r' before the '\n' stays
 * part of the line: JSON treats it as whitespace. The empty remainder after a final '\n' is not a
 * line; an empty line in the middle of the file is.
 */
final class ByteLines implements AutoCloseable {

  private final InputStream in;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int len;
  private boolean eof;

  ByteLines(InputStream in) {
    this.in = in;
  }

  /** The next line without its '\n', or null at the end. */
  byte[] next() throws IOException {
    ByteArrayOutputStream line = null;
    while (true) {
      if (pos == len) {
        if (eof || !fill()) {
          return line == null ? null : line.toByteArray();
        }
      }
      int start = pos;
      while (pos < len && buf[pos] != '\n') {
        pos++;
      }
      if (line == null) {
        line = new ByteArrayOutputStream(Math.max(16, pos - start));
      }
      line.write(buf, start, pos - start);
      if (pos < len) {
        pos++; // the '\n'
        return line.toByteArray();
      }
    }
  }

  /** Whether a line holds nothing but spaces, tabs and a '\r': skipped by produce and predict. */
  static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    if (n <= 0) {
      eof = true;
      return false;
    }
    pos = 0;
    len = n;
    return true;
  }

  /** How many lines {@link #next()} would return for this stream (for the progress bar). */
  static long count(InputStream in) throws IOException {
    byte[] b = new byte[64 * 1024];
    long lines = 0;
    boolean pending = false;
    int n;
    while ((n = in.read(b)) > 0) {
      for (int i = 0; i < n; i++) {
        if (b[i] == '\n') {
          lines++;
          pending = false;
        } else {
          pending = true;
        }
      }
    }
    return pending ? lines + 1 : lines;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
