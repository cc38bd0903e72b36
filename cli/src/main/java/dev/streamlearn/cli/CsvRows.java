package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns CSV rows into the JSON objects records.raw accepts. The header names the columns; the
 * label, id and time columns are chosen by name; every other column is a feature when it parses
 * as a number and metadata otherwise (the cleaner then rejects a non-number where a feature
 * belongs, with its reason). An empty cell is a missing value. Quoted fields may contain commas
 * and doubled quotes.
 */
final class CsvRows {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String[] header;
  private final String labelColumn;
  private final String idColumn;
  private final String tsColumn;
  private final String idPrefix;

  CsvRows(String headerLine, String labelColumn, String idColumn, String tsColumn, String idPrefix) {
    this.header = split(headerLine).toArray(String[]::new);
    this.labelColumn = labelColumn;
    this.idColumn = idColumn;
    this.tsColumn = tsColumn;
    this.idPrefix = idPrefix;
    if (!List.of(header).contains(labelColumn)) {
      throw new IllegalArgumentException("CSV header has no label column '" + labelColumn + "' (use --label-column): " + headerLine);
    }
  }

  /** The JSON text of one row; {@code rowNumber} makes an id when the file has no id column. */
  String toJson(String line, long rowNumber) {
    List<String> cells = split(line);
    ObjectNode o = JSON.createObjectNode();
    ObjectNode features = JSON.createObjectNode();
    boolean hasId = false;
    for (int i = 0; i < header.length; i++) {
      String name = header[i];
      String v = i < cells.size() ? cells.get(i).trim() : "";
      if (name.equals(idColumn)) {
        hasId = true;
        if (!v.isEmpty()) {
          o.put("id", v);
        }
      } else if (name.equals(labelColumn)) {
        if (!v.isEmpty()) {
          o.put("label", v);
        }
      } else if (name.equals(tsColumn) && !v.isEmpty()) {
        try {
          o.put("ts", Long.parseLong(v));
        } catch (NumberFormatException e) {
          o.put("ts_text", v);
        }
      } else if (!v.isEmpty()) {
        try {
          features.put(name, Double.parseDouble(v));
        } catch (NumberFormatException e) {
          features.put(name, v);
        }
      }
    }
    if (!hasId) {
      o.put("id", idPrefix + rowNumber);
    }
    o.set("features", features);
    return o.toString();
  }

  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
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
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
