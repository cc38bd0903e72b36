package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEvent;
import dev.streamlearn.schemas.RawEventParser;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.Prediction;
import dev.streamlearn.client.ServingTransform;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Score raw events with a served model version, exactly as a downstream service would (CurrentModel: the "
        + "snapshot's spec, policies, normalizer statistics and clip).",
        "Input: JSON lines in the records.raw format (flat or nested features; id and label optional). Blank lines are skipped.",
        "Output, one JSON line per input line, in order: {\"id\", \"version\", \"label\" (predicted), \"probabilities\": {label: p}, "
            + "\"actual\" (the input's label, if any)}, or {\"id\", \"line\", \"error\"} for a line that cannot be scored: not a "
            + "record, a missing, unknown, non-numeric, non-finite or out-of-range feature under the model's training policy, or "
            + "an output that overflowed.",
        "Exit codes: 0 every line scored; 3 some lines had errors; 1 nothing could be scored (no model, unreadable input)."})
public final class PredictCommand implements Callable<Integer> {

  private static final int BATCH = 512;

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "FILE", defaultValue = "-", description = "JSON-lines file; '-' (default) reads standard input.")
  String file;

  @Option(names = {"-m", "--model"}, description = "Model name (default: the model.name setting).")
  String model;

  @Option(names = "--model-version", paramLabel = "V", description = "Score with this version instead of the current one.")
  Long version;

  private final ObjectMapper json = new ObjectMapper();
  private final RawEventParser parser = new RawEventParser();

  @Override
  public Integer call() throws Exception {
    String name = model == null ? options.config().getString(StreamlearnConfig.MODEL_NAME) : model;
    CurrentModel served = new CurrentModel(options.clients(), name);
    if (version == null) {
      served.refresh();
    } else {
      served.load(version);
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    long errors = 0;
    long scored = 0;
    List<Pending> batch = new ArrayList<>();
    try (ByteLines lines = new ByteLines(file.equals("-") ? System.in : Files.newInputStream(Path.of(file)))) {
      byte[] line;
      long number = 0;
      while ((line = lines.next()) != null) {
        number++;
        if (ByteLines.isBlank(line)) {
          continue;
        }
        batch.add(parse(line, number, served.spec().getFeatures()));
        if (batch.size() == BATCH) {
          errors += flush(served, batch, out);
          scored += batch.size();
          batch.clear();
        }
      }
    }
    errors += flush(served, batch, out);
    scored += batch.size();
    out.flush();
    System.err.printf("predict: %,d lines, %,d scored by %s v%d, %,d errors%n", scored, scored - errors, name, served.version(), errors);
    return errors == 0 ? 0 : 3;
  }

  private record Pending(long line, String id, String actual, Map<String, Double> features, String error) {}

  private Pending parse(byte[] bytes, long line, List<String> specFeatures) {
    try {
      RawEvent e = parser.parse(bytes);
      for (String key : e.metadata().keySet()) {
        if (specFeatures.contains(key) && !e.features().containsKey(key)) {
          // As the cleaner decides: a feature of the model that came only as a non-number (kept aside as metadata).
          return new Pending(line, e.id(), e.label(), null, "feature '" + key + "' is not a number");
        }
      }
      return new Pending(line, e.id(), e.label(), e.features(), null);
    } catch (MalformedRecordException | RuntimeException ex) {
      return new Pending(line, null, null, null, "not a record: " + ex.getMessage());
    }
  }

  /** Scores the valid lines of a batch in one call, then prints every line's answer in input order; returns the error count. */
  private long flush(CurrentModel served, List<Pending> batch, PrintStream out) throws IOException {
    String[] errors = new String[batch.size()];
    List<Map<String, Double>> valid = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (p.error() != null) {
        errors[i] = p.error();
        continue;
      }
      try {
        served.validate(p.features()); // the training policy, per line, so one bad line does not fail its batch
      } catch (ServingTransform.InvalidFeaturesException ex) {
        errors[i] = ex.getMessage();
        continue;
      }
      valid.add(p.features());
      at.add(i);
    }
    Prediction[] byLine = new Prediction[batch.size()];
    try {
      List<Prediction> predictions = valid.isEmpty() ? List.of() : served.predictAll(valid);
      for (int j = 0; j < at.size(); j++) {
        byLine[at.get(j)] = predictions.get(j);
      }
    } catch (CurrentModel.NonFiniteOutputException batchFailed) {
      // One extreme record overflowed the network: score the batch record by record to tell which.
      for (int j = 0; j < at.size(); j++) {
        try {
          byLine[at.get(j)] = served.predictAll(List.of(valid.get(j))).get(0);
        } catch (CurrentModel.NonFiniteOutputException ex) {
          errors[at.get(j)] = "the model's output overflowed for this record (non-finite probabilities)";
        }
      }
    }
    long failed = 0;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      ObjectNode o = json.createObjectNode();
      o.put("id", p.id());
      if (errors[i] != null || byLine[i] == null) {
        o.put("line", p.line());
        o.put("error", errors[i]);
        failed++;
      } else {
        Prediction pr = byLine[i];
        o.put("version", pr.version());
        o.put("label", pr.label());
        ObjectNode probs = o.putObject("probabilities");
        pr.probabilities().forEach(probs::put);
        if (p.actual() != null) {
          o.put("actual", p.actual());
        }
      }
      out.println(json.writeValueAsString(o));
    }
    return failed;
  }
}
