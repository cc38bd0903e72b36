package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.cli.serve.EventScorer;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.Prediction;
import dev.streamlearn.core.StreamlearnConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Score raw events with a served model version, exactly as a downstream service would (CurrentModel: the "
        + "snapshot's spec, policies, normalizer statistics and clip).",
        "Input: JSON lines in the records.raw format (flat or nested features; id and label optional), or CSV read exactly as",
        "'produce' reads it (its --help; the label column optional here). Blank lines are skipped.",
        "Output, one JSON line per input line, in order: {\"id\", \"version\", \"label\" (predicted), \"probabilities\": {label: p}, "
            + "\"actual\" (the input's label, if any)}, or {\"id\", \"line\", \"error\"} for a line that cannot be scored: not a "
            + "record, a missing, unknown, non-numeric, non-finite or out-of-range feature under the model's training policy, or "
            + "an output that overflowed.",
        "Exit codes: 0 every line scored; 3 some lines had errors; 1 nothing could be scored (no model, unreadable input)."})
public final class PredictCommand implements Callable<Integer> {

  private static final int BATCH = 512;

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "FILE", defaultValue = "-", description = "JSON-lines or CSV file; '-' (default) reads standard input.")
  String file;

  @Option(names = "--format", defaultValue = "auto", description = "auto (by extension: .csv is CSV), jsonl or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--label-column", defaultValue = "label", description = "CSV: the label column, if the file has one (its value is printed "
      + "as \"actual\"). Default: ${DEFAULT-VALUE}.")
  String labelColumn;

  @Option(names = "--id-column", description = "CSV: the id column. Default: 'id' when the file has one, else ids are FILE:ROW, as 'produce' makes them.")
  String idColumn;

  @Option(names = "--ts-column", description = "CSV: the event-time column, not a feature. Default: 'ts' when the file has one (ignoring case).")
  String tsColumn;

  @Option(names = "--missing-values", defaultValue = CsvRows.DEFAULT_MISSING, split = ",",
      description = "CSV: cell values that mean 'no value', as for 'produce'. Default: ${DEFAULT-VALUE}.")
  List<String> missingValues;

  @Option(names = {"-m", "--model"}, description = "Model name (default: the model.name setting).")
  String model;

  @Option(names = "--model-version", paramLabel = "V", description = "Score with this version instead of the current one.")
  Long version;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    String name = model == null ? options.config().getString(StreamlearnConfig.MODEL_NAME) : model;
    CurrentModel served = new CurrentModel(options.clients(), name);
    if (version == null) {
      served.refresh();
    } else {
      served.load(version);
    }
    EventScorer scorer = new EventScorer(served);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    long errors = 0;
    long scored = 0;
    List<byte[]> batch = new ArrayList<>();
    List<Long> lineNumbers = new ArrayList<>();
    boolean csv = ProduceCommand.isCsv(format, file);
    try (ByteLines lines = new ByteLines(file.equals("-") ? System.in : Files.newInputStream(Path.of(file)))) {
      CsvRecords records = null;
      if (csv) {
        java.util.Set<String> missing = new java.util.HashSet<>(missingValues);
        missing.remove("");
        records = new CsvRecords(lines, file, options.config().getInt(StreamlearnConfig.MAX_RECORD_BYTES),
            header -> new CsvRows(header, labelColumn, false, idColumn, tsColumn, Path.of(file).getFileName() + ":", missing));
        if (records.columns() != null) {
          System.err.println(records.columns().describe()); // a label column under another name would otherwise be a feature, unsaid
        }
      }
      long number = 0;
      while (true) {
        byte[] line;
        if (csv) {
          CsvRecords.Row row = records.next();
          if (row == null) {
            break;
          }
          line = row.value();
          number = row.number() + 1; // the file's line number, the header being line 1
          if (row.bad() != null) {
            // Not scored: its bytes are not a record, whatever they look like; answered in its place, with why.
            errors += print(scorer.score(batch), lineNumbers, out);
            scored += batch.size();
            batch.clear();
            lineNumbers.clear();
            ObjectNode o = json.createObjectNode();
            o.putNull("id");
            o.put("line", number);
            o.put("error", "CSV row: " + row.bad());
            out.println(json.writeValueAsString(o));
            errors++;
            scored++;
            continue;
          }
        } else {
          line = lines.next();
          if (line == null) {
            break;
          }
          number++;
          line = number == 1 ? CsvRecords.withoutBom(line) : line;
        }
        if (line == null || ByteLines.isBlank(line)) {
          continue;
        }
        batch.add(line);
        lineNumbers.add(number);
        if (batch.size() == BATCH) {
          errors += print(scorer.score(batch), lineNumbers, out);
          scored += batch.size();
          batch.clear();
          lineNumbers.clear();
        }
      }
    }
    errors += print(scorer.score(batch), lineNumbers, out);
    scored += batch.size();
    out.flush();
    System.err.printf("predict: %,d lines, %,d scored by %s v%d, %,d errors%n", scored, scored - errors, name, served.version(), errors);
    return errors == 0 ? 0 : 3;
  }

  /** Prints every line's answer in input order; returns the error count. */
  private long print(List<EventScorer.Scored> answers, List<Long> lineNumbers, PrintStream out) throws IOException {
    long failed = 0;
    for (int i = 0; i < answers.size(); i++) {
      EventScorer.Scored a = answers.get(i);
      ObjectNode o = json.createObjectNode();
      o.put("id", a.id());
      if (a.error() != null) {
        o.put("line", lineNumbers.get(i));
        o.put("error", a.error());
        failed++;
      } else {
        Prediction pr = a.prediction();
        o.put("version", pr.version());
        o.put("label", pr.label());
        ObjectNode probs = o.putObject("probabilities");
        pr.probabilities().forEach(probs::put);
        if (a.actual() != null) {
          o.put("actual", a.actual());
        }
      }
      out.println(json.writeValueAsString(o));
    }
    return failed;
  }
}
