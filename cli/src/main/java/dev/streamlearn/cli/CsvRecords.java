package dev.streamlearn.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The rows of a CSV file as records.raw takes them, one record per row: what 'produce' sends and 'predict' scores, so
 * that a file is read the same way for training and for serving. A row's lines are joined where a quoted field holds
 * line breaks; a row that cannot be read cell by cell comes out as its bytes, with the reason.
 */
final class CsvRecords {

  /** A quoted field may span this many lines at most: a quote that never closes costs a bounded read-ahead, whatever the file. */
  static final int MAX_ROW_LINES = 64;

  /**
   * One row: {@code number} is its first line's number after the header (what {@code FILE:ROW} ids count), {@code lines}
   * the physical lines it took, {@code value} null for a blank row, {@code bad} the reason a row went as its bytes.
   */
  record Row(long number, int lines, byte[] value, String bad) {
    boolean blank() {
      return value == null;
    }
  }

  private final ByteLines in;
  private final CsvRows columns;
  private final int limit;
  private final Deque<byte[]> pending = new ArrayDeque<>(); // lines read ahead for an unclosed quote, not part of it
  private long line;
  private long rows;
  private long bad;
  private long multiLine;
  private int longest;

  /**
   * Reads the header (a byte order mark dropped) and makes the column roles from it; a file without even a header has
   * no rows.
   */
  CsvRecords(ByteLines in, String file, int limit, Function<String, CsvRows> header) throws IOException {
    this.in = in;
    this.limit = limit;
    byte[] first = in.next();
    this.columns = first == null ? null : header.apply(decodeHeader(withoutBom(first), file));
  }

  /** The column roles, or null for an empty file. */
  CsvRows columns() {
    return columns;
  }

  /** The next row, or null at the end. */
  Row next() throws IOException {
    if (columns == null) {
      return null;
    }
    byte[] first = nextLine();
    if (first == null) {
      return null;
    }
    long number = ++line;
    if (ByteLines.isBlank(first)) { // a blank CSV row is no row (files often end with one)
      return new Row(number, 1, null, null);
    }
    rows++;
    List<byte[]> parts = rowLines(first);
    try {
      byte[] value = json(parts, number);
      if (parts.size() > 1) {
        multiLine++;
        longest = Math.max(longest, parts.size());
      }
      line += parts.size() - 1;
      return new Row(number, parts.size(), value, null);
    } catch (CsvRows.BadRow e) {
      // As it was in the file: the DLQ shows what could not be read. Only the first line, though: the lines a quote
      // joined to a row that then did not fit are rows of their own, read again.
      for (int i = parts.size() - 1; i >= 1; i--) {
        pending.addFirst(parts.get(i));
      }
      bad++;
      return new Row(number, 1, first, e.getMessage());
    }
  }

  long rows() {
    return rows;
  }

  long badRows() {
    return bad;
  }

  long multiLineRows() {
    return multiLine;
  }

  int longestRow() {
    return longest;
  }

  private byte[] nextLine() throws IOException {
    return pending.isEmpty() ? in.next() : pending.poll();
  }

  /**
   * The physical lines of one row: while it ends inside quotes the next lines join it, up to {@link #MAX_ROW_LINES} and
   * the record size limit. A quote that does not close within them is a broken row, not the rest of the file: the lines
   * read ahead go back, and the first line alone is the row.
   */
  private List<byte[]> rowLines(byte[] first) throws IOException {
    List<byte[]> parts = new ArrayList<>(List.of(first));
    CsvRows.Quotes quotes = new CsvRows.Quotes();
    boolean open = quotes.feed(new String(first, StandardCharsets.UTF_8));
    long size = first.length;
    while (open) {
      byte[] next = parts.size() < MAX_ROW_LINES ? nextLine() : null;
      if (next == null || size + next.length + 1 > limit) {
        if (next != null) {
          pending.addFirst(next);
        }
        for (int i = parts.size() - 1; i >= 1; i--) {
          pending.addFirst(parts.remove(i));
        }
        return parts;
      }
      parts.add(next);
      size += next.length + 1;
      quotes.lineBreak();
      open = quotes.feed(new String(next, StandardCharsets.UTF_8));
    }
    return parts;
  }

  /**
   * A row as the JSON object records.raw accepts. One that is not valid UTF-8 cannot be split into cells safely, and one
   * with a value beyond the header's would put values under the wrong names: both are {@link CsvRows.BadRow}.
   */
  private byte[] json(List<byte[]> lines, long number) throws CsvRows.BadRow {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(joined(lines))).toString();
    } catch (CharacterCodingException e) {
      throw new CsvRows.BadRow("not valid UTF-8");
    }
    return columns.toJson(text, number).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] joined(List<byte[]> lines) {
    if (lines.size() == 1) {
      return lines.get(0);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) {
        out.write('\n');
      }
      out.writeBytes(lines.get(i));
    }
    return out.toByteArray();
  }

  /** A UTF-8 byte order mark is how some tools start a file, not data. */
  static byte[] withoutBom(byte[] line) {
    boolean bom = line.length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF;
    return bom ? java.util.Arrays.copyOfRange(line, 3, line.length) : line;
  }

  private static String decodeHeader(byte[] line, String file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("CSV header of " + file + " is not valid UTF-8");
    }
  }
}
