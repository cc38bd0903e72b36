package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns CSV rows into the JSON objects records.raw accepts. The header names the columns; the
 * label, id and time columns are chosen by name (exactly, else ignoring case: R and Kaggle files
 * say {@code Id} and {@code Label}); every other column is a feature when it parses as a number and
 * metadata otherwise (the cleaner then rejects a non-number where a feature belongs, with its
 * reason). TRUE and FALSE (R's and Excel's booleans) are 1 and 0. An empty cell, or one holding a missing-value marker ({@code NA}, {@code ?}, ...), is a
 * missing value, which the {@code missing} policy handles. A column without a name (R's row names)
 * is metadata: a row number must never become a feature. Quoted fields may contain commas, doubled
 * quotes and line breaks; a quote inside an unquoted field is a character like any other (RFC 4180).
 */
final class CsvRows {

  /** What real files write for "no value", beside the empty cell (R, pandas, UCI's '?'). */
  static final String DEFAULT_MISSING = "NA,N/A,#N/A,n/a,NaN,nan,null,NULL,None,?";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A row that cannot be read cell by cell: produce sends it as its bytes, and the clean stage rejects it as MALFORMED. */
  static final class BadRow extends Exception {
    BadRow(String message) {
      super(message, null, false, false);
    }
  }

  private final String[] header;
  private final int label;
  private final int id;
  private final int ts;
  private final String idPrefix;
  private final Set<String> missing;
  /** Per column: cells that were neither a number nor missing, and the first of them (to tell the user what was not learnt). */
  private final long[] textCells;
  private final String[] textExample;

  /**
   * @param idColumn the id column, or null for "{@code id} if the file has one" (then ids are {@code idPrefix + row})
   * @param tsColumn the time column, or null for "{@code ts} if the file has one"
   */
  CsvRows(String headerLine, String labelColumn, String idColumn, String tsColumn, String idPrefix, Set<String> missing) {
    this(headerLine, labelColumn, true, idColumn, tsColumn, idPrefix, missing);
  }

  /** @param labelRequired false where the label is optional (events to score): a file without the column has none */
  CsvRows(String headerLine, String labelColumn, boolean labelRequired, String idColumn, String tsColumn, String idPrefix, Set<String> missing) {
    String line = stripBom(headerLine);
    int cr = line.indexOf('\r');
    if (cr >= 0 && cr < line.length() - 1) {
      throw new IllegalArgumentException("the CSV header holds a carriage return before its end: the file's lines end in '\\r' alone "
          + "(old Mac line ends); convert it first, e.g. tr '\\r' '\\n' < in.csv > out.csv");
    }
    List<String> names = split(line);
    this.header = names.stream().map(String::trim).toArray(String[]::new);
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < header.length; i++) {
      Integer before = header[i].isEmpty() ? null : seen.putIfAbsent(header[i], i);
      if (before != null) {
        throw new IllegalArgumentException("the CSV header names column '" + header[i] + "' twice (columns " + (before + 1) + " and "
            + (i + 1) + "): rename one, or its values would mix");
      }
    }
    this.label = column(labelColumn);
    if (label < 0 && labelRequired) {
      throw new IllegalArgumentException("the CSV header has no label column '" + labelColumn + "' (use --label-column); its columns: "
          + String.join(", ", quoted()));
    }
    this.id = optionalColumn(idColumn, "id", "--id-column");
    this.ts = optionalColumn(tsColumn, "ts", "--ts-column");
    if ((id >= 0 && id == label) || (ts >= 0 && (ts == label || ts == id))) {
      throw new IllegalArgumentException("the label, id and time columns must differ: " + String.join(", ", quoted()));
    }
    this.idPrefix = idPrefix;
    this.missing = missing;
    this.textCells = new long[header.length];
    this.textExample = new String[header.length];
  }

  /** One line for the user: which columns play which part. */
  String describe() {
    long features = java.util.stream.IntStream.range(0, header.length).filter(i -> i != label && i != id && i != ts && !header[i].isEmpty()).count();
    return "CSV columns: label " + (label < 0 ? "none" : "'" + header[label] + "'") + ", id " + (id < 0 ? "none (ids are " + idPrefix + "ROW)" : "'" + header[id] + "'")
        + (ts < 0 ? "" : ", time '" + header[ts] + "'") + ", " + features + " others (a feature where numeric)"
        + (java.util.Arrays.stream(header).anyMatch(String::isEmpty) ? ", unnamed columns kept as metadata" : "");
  }

  /** The columns that held text where a number belongs, with how often and an example: what the clean stage will not learn. */
  List<String> textColumns() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < header.length; i++) {
      if (textCells[i] > 0) {
        out.add("'" + header[i] + "' " + textCells[i] + " cells (e.g. '" + textExample[i] + "')");
      }
    }
    return out;
  }

  /** The JSON text of one row; {@code rowNumber} makes an id when the file has no id column. */
  String toJson(String line, long rowNumber) throws BadRow {
    if (endsInsideQuotes(line)) {
      throw new BadRow("a quoted field that does not close (within " + CsvRecords.MAX_ROW_LINES + " lines)");
    }
    List<String> cells = split(line);
    // As pandas reads it: a short row lacks its last values (exporters leave out trailing empty cells); cells beyond
    // the header are an error unless empty (a trailing comma), for a value there belongs to no column, and one too
    // many usually means a comma inside a number (1,234) that shifted every value after it.
    for (int i = header.length; i < cells.size(); i++) {
      if (!cells.get(i).isBlank()) {
        throw new BadRow(cells.size() + " cells where the header has " + header.length);
      }
    }
    ObjectNode o = JSON.createObjectNode();
    ObjectNode features = JSON.createObjectNode();
    ObjectNode metadata = null;
    for (int i = 0; i < header.length; i++) {
      String v = i < cells.size() ? cells.get(i).trim() : "";
      if (v.isEmpty() || missing.contains(v)) {
        continue;
      }
      if (i == id) {
        o.put("id", v);
      } else if (i == label) {
        o.put("label", v);
      } else if (i == ts) {
        try {
          o.put("ts", Long.parseLong(v));
        } catch (NumberFormatException e) {
          o.put("ts_text", v);
        }
      } else if (header[i].isEmpty()) {
        metadata = metadata == null ? JSON.createObjectNode() : metadata;
        metadata.put("column" + (i + 1), v);
      } else {
        double d = number(v);
        if (Double.isNaN(d) && !v.equalsIgnoreCase("nan")) {
          features.put(header[i], v);
          if (textCells[i]++ == 0) {
            textExample[i] = v.length() > 20 ? v.substring(0, 20) + "…" : v;
          }
        } else {
          features.put(header[i], d);
        }
      }
    }
    if (id < 0) {
      o.put("id", idPrefix + rowNumber);
    }
    o.set("features", features);
    if (metadata != null) {
      o.set("metadata", metadata);
    }
    return o.toString();
  }

  /** Whether {@code text} ends inside a quoted field, so the row goes on on the next line. */
  static boolean endsInsideQuotes(String text) {
    return new Quotes().feed(text);
  }

  /**
   * Where a row's text stands: inside a quoted field or not, fed one line at a time so that a long row is scanned once.
   * Only a quote that opens a field (after spaces) starts one, as {@link #split} reads it.
   */
  static final class Quotes {
    private boolean quoted;
    private boolean fieldStart = true;
    private boolean pendingQuote; // a quote inside a quoted field whose meaning (close, or a doubled quote) the next character decides

    /** Feeds the next part of the row (a line joins the one before it with a line break); true when it ends inside quotes. */
    boolean feed(String text) {
      for (int i = 0; i < text.length(); i++) {
        char ch = text.charAt(i);
        if (pendingQuote) {
          pendingQuote = false;
          if (ch == '"') {
            continue; // a doubled quote: still inside
          }
          quoted = false;
        }
        if (quoted) {
          pendingQuote = ch == '"';
        } else if (ch == '"' && fieldStart) {
          quoted = true;
          fieldStart = false;
        } else {
          fieldStart = ch == ',' || (fieldStart && ch == ' ');
        }
      }
      return quoted && !pendingQuote;
    }

    /** The line break that joins the next line: inside quotes it is a character of the field. */
    void lineBreak() {
      feed("\n");
    }
  }

  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean fieldStart = true;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
        fieldStart = true;
      } else {
        cur.append(ch);
        // Spaces before an opening quote are common in hand-written files (a, "b"): the quote still opens the field.
        fieldStart = fieldStart && ch == ' ';
      }
    }
    out.add(cur.toString());
    return out;
  }

  static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  /**
   * A cell's number, or NaN: a decimal number, or TRUE/FALSE (R's and Excel's booleans) as 1 and 0. Not all that
   * {@code parseDouble} takes: "2f", "1d" and hex floats are text (a category code, not a number).
   */
  private static double number(String v) {
    if (v.equalsIgnoreCase("true")) {
      return 1;
    }
    if (v.equalsIgnoreCase("false")) {
      return 0;
    }
    char last = v.charAt(v.length() - 1);
    if (last == 'f' || last == 'F' || last == 'd' || last == 'D' || v.contains("x") || v.contains("X")) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private int column(String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    int found = -1;
    for (int i = 0; i < header.length; i++) {
      if (!header[i].isEmpty() && header[i].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        if (found >= 0) {
          throw new IllegalArgumentException("the CSV header has no column '" + name + "', and more than one ignoring case ('" + header[found]
              + "', '" + header[i] + "'): name the one you mean exactly");
        }
        found = i;
      }
    }
    return found;
  }

  /** A column given on the command line must exist; the default one is used when the file has it. */
  private int optionalColumn(String given, String otherwise, String option) {
    if (given == null) {
      int i = column(otherwise);
      return i == label ? -1 : i; // '--label-column ID' on a file without another id column: the label is not also the id
    }
    int i = column(given);
    if (i < 0) {
      throw new IllegalArgumentException("the CSV header has no column '" + given + "' (" + option + "); its columns: " + String.join(", ", quoted()));
    }
    return i;
  }

  private List<String> quoted() {
    return java.util.Arrays.stream(header).map(h -> "'" + h + "'").toList();
  }
}
