package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.streams.PipelineReport;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Pipeline counts, reconciled (raw = clean + duplicates + dlq), class balance and normalizer stats.",
        "JSON keys: raw, clean, duplicates, dlq {reason: n}, train, eval, synthetic, classes {label: n},",
        "train_classes {label: n, synthetic included}, train_targets {label: sum of the partitions' targets},",
        "synthetic_owed (synthetic records still owed: 0 once the partitions are at rest), normalizer {feature: {count, mean, std}} (population std).",
        "Exit 0 when the counts reconcile, 5 when they do not (yet: the app may still be processing)."})
public final class StatsCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--json", description = "Print JSON for tools.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PipelineReport r = PipelineReport.read(options.clients());
    if (json) {
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(r)));
    } else {
      print(r);
    }
    return r.reconciles() ? 0 : 5;
  }

  static ObjectNode toJson(PipelineReport r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("raw", r.raw());
    o.put("clean", r.clean());
    o.put("held", r.held());
    o.put("dropped", r.dropped());
    o.put("duplicates", r.duplicates());
    ObjectNode dlq = o.putObject("dlq");
    r.dlq().forEach(dlq::put);
    o.put("train", r.train());
    o.put("eval", r.eval());
    o.put("synthetic", r.synthetic());
    ObjectNode classes = o.putObject("classes");
    r.classes().forEach(classes::put);
    ObjectNode trainClasses = o.putObject("train_classes");
    r.trainClasses().forEach(trainClasses::put);
    ObjectNode trainTargets = o.putObject("train_targets");
    r.trainTargets().forEach(trainTargets::put);
    o.put("synthetic_owed", r.owed());
    ObjectNode norm = o.putObject("normalizer");
    if (r.spec() != null && r.normalizer() != null) {
      for (int i = 0; i < r.spec().getFeatures().size(); i++) {
        ObjectNode f = norm.putObject(r.spec().getFeatures().get(i));
        f.put("count", r.normalizer().count(i));
        f.put("mean", r.normalizer().mean(i));
        f.put("std", r.normalizer().std(i));
      }
    }
    return o;
  }

  private static void print(PipelineReport r) {
    System.out.printf("raw         %,12d%n", r.raw());
    System.out.printf("  clean     %,12d%n", r.clean());
    if (r.held() + r.dropped() != 0) {
      System.out.printf("  held      %,12d%n", r.held());
      System.out.printf("  dropped   %,12d%n", r.dropped());
    }
    System.out.printf("  duplicate %,12d%n", r.duplicates());
    System.out.printf("  dlq       %,12d%n", r.dlqTotal());
    r.dlq().forEach((k, v) -> System.out.printf("    %-22s %,8d%n", k, v));
    System.out.printf("reconciles  %s%n", r.reconciles() ? "yes" : "NO (raw " + r.raw() + " != " + (r.clean() + r.held() + r.dropped() + r.duplicates() + r.dlqTotal()) + ")");
    System.out.printf("split       train %,d  eval %,d   synthetic %,d%s%n", r.train(), r.eval(), r.synthetic(),
        r.undersampled() > 0 ? String.format("  undersampled %,d", r.undersampled()) : "");
    long maxClass = Math.max(1, r.classes().values().stream().mapToLong(Long::longValue).max().orElse(1));
    long maxTrain = Math.max(1, r.trainClasses().values().stream().mapToLong(Long::longValue).max().orElse(1));
    System.out.println("classes     (valid unique records | records.train after rebalancing)");
    for (Map.Entry<String, Long> e : r.classes().entrySet()) {
      long t = r.trainClasses().getOrDefault(e.getKey(), 0L);
      System.out.printf("  %-14s %,9d %-20s | %,9d %s%n", e.getKey(), e.getValue(), bar(e.getValue(), maxClass), t, bar(t, maxTrain));
    }
    if (r.spec() != null && r.normalizer() != null) {
      System.out.println("normalizer  feature                count          mean           std");
      for (int i = 0; i < r.spec().getFeatures().size(); i++) {
        System.out.printf("  %-28s %,9d %13.5g %13.5g%n", r.spec().getFeatures().get(i), r.normalizer().count(i), r.normalizer().mean(i), r.normalizer().std(i));
      }
    }
  }

  static String bar(long v, long max) {
    return "#".repeat((int) Math.round(20.0 * v / max));
  }
}
