package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.streams.PipelineReport;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"One screen for operators: the cluster, the streams app's group and lag on records.raw, the updater's lag on",
        "records.train and records.eval, reconciled counts, and the current model version with its metrics.",
        "--json: the same as one JSON object (keys: cluster, streams, updater, counts, model, caught_up).",
        "Exit codes: 0 caught up (no lag on records.raw, counts reconciled, nothing held in the warm-up); 5 not caught up (yet); "
            + "1 the cluster or a topic cannot be read; 2 a bad setting."})
public final class StatusCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--json", description = "Print one JSON object instead of the screen.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StreamlearnConfig c = options.config();
    String model = c.getString(StreamlearnConfig.MODEL_NAME);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    StatusReport report = StatusReport.read(c, options.clients(), model);
    ObjectNode out = report.json();
    PipelineReport r = report.pipeline();
    Optional<ModelPointer> p = report.pointer();
    long rawLag = out.get("streams").get("lag").asLong();
    boolean caughtUp = out.get("caught_up").asBoolean();
    Map<String, Double> metrics = new TreeMap<>();
    if (p.isPresent()) {
      out.get("model").get("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
    }

    if (json) {
      System.out.println(mapper.writeValueAsString(out));
    } else {
      System.out.printf("cluster      %s: %d broker(s)%n", out.get("cluster").get("bootstrap").asText(), out.get("cluster").get("brokers").asInt());
      ObjectNode s = (ObjectNode) out.get("streams");
      System.out.printf("streams app  %s: %s, %d member(s), lag on records.raw %,d%n", s.get("group").asText(), s.get("state").asText(),
          s.get("members").asInt(), rawLag);
      ObjectNode u = (ObjectNode) out.get("updater");
      System.out.printf("updater      %s: %s, lag on records.train and records.eval %,d (since the last snapshot)%n", model,
          u.get("running").asBoolean() ? "running" : "not running", u.get("lag").asLong());
      System.out.printf("counts       raw %,d = clean %,d + held %,d + duplicates %,d + dlq %,d: %s%n", r.raw(), r.clean(), r.held(), r.duplicates(),
          r.dlqTotal(), !r.reconciles() ? "not reconciled (in flight)" : r.held() > 0 ? "reconciled, warm-up holding records" : "reconciled");
      if (r.dlqTotal() > 0) {
        StringBuilder reasons = new StringBuilder();
        r.dlq().entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> reasons.append(reasons.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(String.format("%,d", e.getValue())));
        System.out.printf("dlq          %s ('streamlearn dlq --reason REASON' shows them)%n", reasons);
        long unknown = r.dlq().getOrDefault("UNKNOWN_LABEL", 0L);
        if (unknown > 0) {
          // A class that arrived after the spec was inferred is rejected for good: say so where people look.
          System.out.printf("             UNKNOWN_LABEL: labels outside the spec. A class the spec lacks (seen in fewer than dataset.label.min.records of the records it was "
              + "inferred from, or first arriving after it was pinned) is never learnt as it stands: to learn it, set labels= with every "
              + "class, stop the streams app, run 'streamlearn replay --respec --yes' and train another model.name%n");
        }
      }
      if (p.isPresent()) {
        System.out.printf("model        %s: current v%d, head v%d, macro F1 %.4f, accuracy %.4f (%s)%n", model, p.get().getVersion(), p.get().getHead(),
            metrics.getOrDefault("macro_f1", Double.NaN), metrics.getOrDefault("accuracy", Double.NaN), p.get().getReason());
      } else {
        System.out.printf("model        %s: no version yet%n", model);
      }
    }
    return caughtUp ? 0 : 5;
  }
}
