package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** CSV as real exporters write it (Excel, R, pandas, UCI), read into the JSON records.raw takes. */
class CsvRowsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> MISSING = Set.of(CsvRows.DEFAULT_MISSING.split(","));

  private static CsvRows rows(String header) {
    return new CsvRows(header, "label", null, null, "f.csv:", MISSING);
  }

  private static JsonNode row(CsvRows rows, String line) throws Exception {
    return JSON.readTree(rows.toJson(line, 7));
  }

  @Test
  void aByteOrderMarkAndWindowsLineEndsDoNotRenameTheColumns() throws Exception {
    CsvRows rows = rows("\uFEFFid,x,label\r");
    JsonNode r = row(rows, "a1,2.5,yes\r");
    assertThat(r.get("id").asText()).isEqualTo("a1");
    assertThat(r.get("label").asText()).isEqualTo("yes");
    assertThat(r.get("features").fieldNames()).toIterable().containsExactly("x");
  }

  @Test
  void headerNamesAreTrimmedAndMatchedIgnoringCaseWhenNoneMatchesExactly() throws Exception {
    JsonNode r = row(rows(" Id , SepalLength , Label "), "7, 5.1 ,Iris-setosa");
    assertThat(r.get("id").asText()).isEqualTo("7");
    assertThat(r.get("label").asText()).isEqualTo("Iris-setosa");
    assertThat(r.get("features").get("SepalLength").asDouble()).isEqualTo(5.1);
    assertThat(r.get("features").has("Id")).isFalse(); // a row number must never become a feature
  }

  @Test
  void withoutAnIdColumnIdsAreFileAndRow() throws Exception {
    assertThat(row(rows("x,label"), "1,a").get("id").asText()).isEqualTo("f.csv:7");
  }

  @Test
  void aColumnNamedOnTheCommandLineMustExist() {
    assertThatThrownBy(() -> new CsvRows("key,x,label", "label", "id", null, "f:", MISSING))
        .hasMessageContaining("no column 'id' (--id-column)").hasMessageContaining("'key', 'x', 'label'");
    assertThatThrownBy(() -> new CsvRows("id,x,class", "label", null, null, "f:", MISSING))
        .hasMessageContaining("no label column 'label'");
    assertThatThrownBy(() -> new CsvRows("id,x,label", "label", "label", null, "f:", MISSING))
        .hasMessageContaining("must differ");
  }

  @Test
  void aColumnNamedTwiceIsRefusedRatherThanMixed() {
    assertThatThrownBy(() -> rows("x,y,x,label")).hasMessageContaining("'x' twice (columns 1 and 3)");
  }

  @Test
  void rsRowNamesColumnIsMetadataNotAFeature() throws Exception {
    // write.csv(mlbench::BreastCancer) starts every line with the row name under an empty header.
    CsvRows rows = rows("\"\",\"Id\",\"Cl.thickness\",\"label\"");
    JsonNode r = row(rows, "\"12\",\"1002945\",\"5\",\"benign\"");
    assertThat(r.get("id").asText()).isEqualTo("1002945");
    assertThat(r.get("features").fieldNames()).toIterable().containsExactly("Cl.thickness");
    assertThat(r.get("metadata").get("column1").asText()).isEqualTo("12");
    assertThat(rows.describe()).contains("label 'label'", "id 'Id'", "1 others", "unnamed columns kept as metadata");
  }

  @Test
  void missingValueMarkersAreMissingValues() throws Exception {
    CsvRows rows = rows("a,b,c,d,e,label");
    JsonNode r = row(rows, "NA,?,,nan,3,x");
    assertThat(r.get("features").fieldNames()).toIterable().containsExactly("e");
    assertThat(row(rows, "1,2,3,4,5,NA").has("label")).isFalse(); // a missing label: the clean stage says MISSING_LABEL

    CsvRows strict = new CsvRows("a,label", "label", null, null, "f:", Set.of());
    assertThat(row(strict, "NA,x").get("features").get("a").asText()).isEqualTo("NA"); // text: rejected where a feature belongs
  }

  @Test
  void textWhereANumberBelongsIsReportedByColumn() throws Exception {
    CsvRows rows = rows("sex,age,label");
    row(rows, "male,3,x");
    row(rows, "female,4d,y"); // parseDouble would read "4d" as 4.0
    row(rows, "female,0x10,y");
    assertThat(rows.textColumns()).containsExactly("'sex' 3 cells (e.g. 'male')", "'age' 2 cells (e.g. '4d')");
  }

  @Test
  void rAndExcelBooleansAreOneAndZero() throws Exception {
    JsonNode f = row(rows("hair,eggs,legs,label"), "TRUE,false,4,mammal").get("features");
    assertThat(f.get("hair").asDouble()).isEqualTo(1.0);
    assertThat(f.get("eggs").asDouble()).isEqualTo(0.0);
    assertThat(f.get("legs").asDouble()).isEqualTo(4.0);
  }

  @Test
  void aNonEmptyCellBeyondTheHeaderIsABadRowAndAShortRowLacksItsLastValues() throws Exception {
    CsvRows rows = rows("label,price,qty");
    assertThatThrownBy(() -> rows.toJson("a,1,234,5", 1)).isInstanceOf(CsvRows.BadRow.class).hasMessage("4 cells where the header has 3");
    assertThat(row(rows, "a,1,2,").get("features").size()).as("a trailing comma").isEqualTo(2);
    assertThat(row(rows, "a,1").get("features").fieldNames()).toIterable().containsExactly("price");
    assertThat(row(rows, "a,1,").get("features").fieldNames()).toIterable().containsExactly("price");
    assertThatThrownBy(() -> rows.toJson("a,\"1,2", 1)).isInstanceOf(CsvRows.BadRow.class).hasMessageContaining("does not close");
  }

  @Test
  void twoColumnsThatDifferOnlyInCaseAreAmbiguous() {
    assertThatThrownBy(() -> rows("ID,Id,x,label")).hasMessageContaining("more than one ignoring case ('ID', 'Id')");
    assertThat(new CsvRows("ID,id,label", "label", "id", null, "f:", MISSING).describe()).contains("id 'id'");
  }

  @Test
  void theDefaultIdIsNotTheLabel() throws Exception {
    CsvRows rows = new CsvRows("x,ID", "ID", null, null, "f:", MISSING);
    JsonNode r = row(rows, "1,a");
    assertThat(r.get("label").asText()).isEqualTo("a");
    assertThat(r.get("id").asText()).isEqualTo("f:7");
  }

  @Test
  void oldMacLineEndsAreRefusedWithTheWayOut() {
    assertThatThrownBy(() -> rows("id,x,label\r1,2,a\r2,3,b\r")).hasMessageContaining("'\\r' alone").hasMessageContaining("tr ");
  }

  @Test
  void aQuoteInsideAnUnquotedFieldIsACharacter() throws Exception {
    assertThat(CsvRows.split("12\" pipe,3,x")).containsExactly("12\" pipe", "3", "x");
    assertThat(CsvRows.endsInsideQuotes("12\" pipe,3,x")).isFalse();
    assertThat(CsvRows.split("a, \"b,c\",d")).containsExactly("a", " b,c", "d");
    assertThat(CsvRows.endsInsideQuotes("1,\"first line")).isTrue();
    assertThat(CsvRows.endsInsideQuotes("1,\"first line\nsecond\",x")).isFalse();
    assertThat(CsvRows.endsInsideQuotes("1,\"he said \"\"hi\"\"\",x")).isFalse();
  }

  @Property(tries = 300)
  void whatACsvWriterWritesIsReadBackCellForCell(@ForAll("tables") List<List<String>> table) {
    for (List<String> cells : table) {
      String line = write(cells);
      assertThat(CsvRows.endsInsideQuotes(line)).isFalse();
      assertThat(CsvRows.split(line)).containsExactlyElementsOf(cells);
      // A line break is only ever written inside a quoted field: cut at one, the row goes on; fed line by line as
      // produce feeds it, it ends where it ends whole.
      String[] lines = line.split("\n", -1);
      CsvRows.Quotes quotes = new CsvRows.Quotes();
      for (int i = 0; i < lines.length; i++) {
        if (i > 0) {
          quotes.lineBreak();
        }
        assertThat(quotes.feed(lines[i])).isEqualTo(i < lines.length - 1);
      }
    }
  }

  @Provide
  Arbitrary<List<List<String>>> tables() {
    Arbitrary<String> cell = Arbitraries.oneOf(
        Arbitraries.strings().withChars("ab ,\"\n\r;?.-1eE\u00e9\u4e2d").ofMaxLength(12),
        Arbitraries.doubles().map(d -> Double.toString(d)),
        Arbitraries.of("", "NA", "\"\"", " "));
    return Arbitraries.integers().between(1, 6).flatMap(n -> cell.list().ofSize(n).list().ofMinSize(1).ofMaxSize(5));
  }

  /** RFC 4180 as Python's csv module and R's write.csv write it: a field is quoted when it holds a comma, quote, line break or edge space. */
  private static String write(List<String> cells) {
    List<String> out = new ArrayList<>();
    for (String c : cells) {
      boolean quote = c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r") || c.startsWith(" ");
      out.add(quote ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    return String.join(",", out);
  }
}
