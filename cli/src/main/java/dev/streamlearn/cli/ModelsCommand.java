package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.schemas.JsonRenderer;
import dev.streamlearn.updater.ModelAdmin;
import dev.streamlearn.updater.Retrainer;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true, description = "List, inspect, export, roll back / forward, retrain and prune model versions.",
    subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Current.class, ModelsCommand.Export.class,
        ModelsCommand.Rollback.class, ModelsCommand.Retrain.class, ModelsCommand.Prune.class})
public final class ModelsCommand {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static String modelOf(ConfigOptions o, String model) {
    return model != null ? model : o.config().getString(StreamlearnConfig.MODEL_NAME);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every version: status, parent, records, metrics; '*' marks the current one.")
  static final class ListVersions implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: model.name). Use --all for every model.") String model;
    @Option(names = "--all", description = "All models.") boolean all;
    @Option(names = "--json", description = "JSON for tools.") boolean json;

    @Override
    public Integer call() throws Exception {
      SnapshotCatalog catalog = new SnapshotCatalog(options.clients());
      Map<String, TreeMap<Long, ModelSnapshot>> versions = catalog.versions(all ? null : modelOf(options, model));
      Map<String, ModelPointer> pointers = catalog.pointers();
      if (json) {
        ArrayNode arr = JSON.createArrayNode();
        versions.forEach((m, vs) -> vs.values().forEach(s -> {
          ObjectNode o = (ObjectNode) JsonRenderer.toJson(s);
          o.remove("chunk");
          o.remove("normalizer");
          o.put("current", pointers.containsKey(m) && pointers.get(m).getVersion() == s.getVersion());
          arr.add(o);
        }));
        System.out.println(JSON.writeValueAsString(arr));
        return 0;
      }
      if (versions.isEmpty()) {
        System.out.println("no snapshots yet");
        return 0;
      }
      versions.forEach((m, vs) -> {
        ModelPointer p = pointers.get(m);
        System.out.printf("model %s (current v%s)%n", m, p == null ? "-" : p.getVersion());
        System.out.println(LIST_HEADER);
        vs.values().forEach(s -> System.out.println(row(s, p != null && p.getVersion() == s.getVersion())));
      });
      return 0;
    }
  }

  /** Window metrics on the last eval records (eval_n of them), then prequential ones (test-then-train on every real training record). */
  static final String LIST_HEADER =
      "   version parent status    created               trained  eval_n  roc_auc  bal_acc  macroF1  log_loss | preq_bal_acc  preq_log_loss      size";

  static String row(ModelSnapshot s, boolean current) {
    Map<String, Double> x = s.getMetrics();
    return String.format(java.util.Locale.ROOT, "%s %7d %6s %-9s %s %,9d  %6.0f  %7.4f  %7.4f  %7.4f  %8.4f | %12.4f  %13.4f  %8s",
        current ? " *" : "  ", s.getVersion(), s.getParentVersion() == null ? "-" : s.getParentVersion(), s.getStatus(),
        Instant.ofEpochMilli(s.getCreatedAt()).toString().substring(0, 19), s.getTrainedRecords(), x.getOrDefault("n", 0.0),
        x.getOrDefault("roc_auc", Double.NaN), x.getOrDefault("balanced_accuracy", Double.NaN), x.getOrDefault("macro_f1", Double.NaN),
        x.getOrDefault("log_loss", Double.NaN), x.getOrDefault("preq_balanced_accuracy", Double.NaN), x.getOrDefault("preq_log_loss", Double.NaN),
        dev.streamlearn.core.ByteSize.format(s.getSizeBytes()));
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Everything about one version (metadata, lineage offsets, metrics) as JSON.")
  static final class Show implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @picocli.CommandLine.Parameters(paramLabel = "VERSION", description = "The version number.") long version;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      ModelSnapshot s = new SnapshotCatalog(options.clients()).versions(m).getOrDefault(m, new TreeMap<>()).get(version);
      if (s == null) {
        throw new IllegalArgumentException("model " + m + " has no version " + version);
      }
      ObjectNode o = (ObjectNode) JsonRenderer.toJson(s);
      o.remove("chunk");
      System.out.println(JSON.writeValueAsString(o));
      return 0;
    }
  }

  @Command(name = "current", mixinStandardHelpOptions = true, description = "The current version pointer (model.current).")
  static final class Current implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @Option(names = "--json", description = "JSON for tools.") boolean json;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      Optional<ModelPointer> p = new SnapshotCatalog(options.clients()).pointer(m);
      if (p.isEmpty()) {
        System.err.println("model " + m + " has no current version yet");
        return 3;
      }
      if (json) {
        System.out.println(JSON.writeValueAsString(JsonRenderer.toJson(p.get())));
      } else {
        System.out.printf("%s: v%d (training head v%d) since %s: %s%n", m, p.get().getVersion(), p.get().getHead(),
            Instant.ofEpochMilli(p.get().getUpdatedAt()), p.get().getReason());
      }
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Write a version's network (verified) to a file that DL4J loads directly:", "ModelSerializer.restoreComputationGraph(file) for a wide-and-deep network (updater.wide, the default),", "restoreMultiLayerNetwork(file) for a plain stack (updater.wide=false or no hidden layers)."})
  static final class Export implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @picocli.CommandLine.Parameters(paramLabel = "VERSION", arity = "0..1", description = "The version number; default: the current version.") Long version;
    @Option(names = {"-o", "--out"}, required = true, description = "The file to write.") Path out;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      SnapshotCatalog catalog = new SnapshotCatalog(options.clients());
      long v = version != null ? version : catalog.trustedPointer(m).orElseThrow(() -> new IllegalArgumentException("model " + m + " has no current version")).getVersion();
      Snapshot s = catalog.load(m, v, null);
      Files.write(out, s.network());
      System.err.printf("wrote %s v%d (%s, sha256 %s) to %s%n", m, v, dev.streamlearn.core.ByteSize.format(s.network().length), s.meta().getSha256(), out);
      return 0;
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = {"Point the model at version V (older: rollback; newer: roll forward). The updater continues training from V's weights.",
          "Sent as a command on model.commands. If no updater runs, the pointer is moved directly (to a version that verifies);",
          "if one runs but does not apply it within --wait seconds (it refused it: see its log), exits 1 and moves nothing."})
  static final class Rollback implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @Option(names = "--to", required = true, paramLabel = "V", description = "The version to make current.") long to;
    @Option(names = "--reason", defaultValue = "", description = "Why, recorded on the pointer.") String reason;
    @Option(names = "--wait", defaultValue = "5", description = "Seconds to wait for the updater. Default: ${DEFAULT-VALUE}.") long waitSeconds;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      ModelAdmin.RollbackResult r = new ModelAdmin(options.clients()).rollback(m, to, reason, Duration.ofSeconds(waitSeconds));
      System.out.printf("%s: current is now v%d (was v%s), %s; pointer committed %d ms after the command%n", m, r.pointer().getVersion(),
          r.pointer().getPreviousVersion() == null ? "-" : r.pointer().getPreviousVersion(),
          r.appliedByUpdater() ? "applied by the updater" : "pointer moved directly (no updater answered)", r.pointerLagMillis());
      return 0;
    }
  }

  @Command(name = "retrain", mixinStandardHelpOptions = true,
      description = {"Deterministic replay: train version V's weights further on records.train, from V's lineage offsets up to --until,",
          "partition by partition in offset order, with the updater's learner, seeded and single-threaded; publish one new version.",
          "The same V, range and configuration give the same network, bit for bit (the same sha256 in 'models show').",
          "--as NAME: NAME's next version, current only if the quality gate promotes it against NAME's current version (or V).",
          "Without --as: the model's next version, always HELD with the gate's verdict (make it current with 'models rollback').",
          "The target model's updater must be stopped (with or without --as): it numbers its versions in memory.",
          "The network is reproduced; the normalizer and the gate's eval window are read as they are now."})
  static final class Retrain implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @Option(names = "--from-version", required = true, paramLabel = "V", description = "The version whose weights training continues from.") long from;
    @Option(names = "--until", required = true, paramLabel = "OFFSETS|TIME",
        description = {"Where to stop on records.train: PARTITION:OFFSET pairs (0:1200,1:1180; the next offset not trained on; partitions",
            "not named are not read past V's offsets), or a time (epoch ms, or ISO such as 2026-11-30T02:00:00Z): on each partition,",
            "stops at the first offset whose record timestamp is at or after TIME (timestamps need not be monotonic, so a later",
            "offset with an earlier timestamp is not read). A range whose start retention deleted fails; nothing is skipped."})
    String until;
    @Option(names = "--as", paramLabel = "NAME", description = "Publish under this model name instead of as the model's next version.") String as;
    @Option(names = "--force-config", description = {"Replay although the training settings (updater.learning.rate, updater.seed, ...; see",
        "'models show', configHash) differ from those V was trained with. Without it such a retrain is refused."}) boolean forceConfig;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      Retrainer retrainer = new Retrainer(options.config());
      Retrainer.Plan plan = retrainer.plan(m, from, Retrainer.Until.parse(until), as == null ? m : as, forceConfig);
      System.err.printf("retrain %s v%d over %s: %,d offsets%n", m, from, plan.describe(), plan.records());
      Retrainer.Result r;
      try (ProgressBar bar = new ProgressBar("retrain", plan.records())) {
        r = retrainer.retrain(plan, bar::step);
      }
      ModelSnapshot s = r.published();
      System.out.printf("%s v%d: %s, %,d records trained (%,d skipped), sha256 %s%n  gate: %s%n", s.getModel(), s.getVersion(),
          r.current() ? "PROMOTED and current" : "HELD (not current)", r.trained(), r.skipped(), s.getSha256(), r.gate());
      return 0;
    }
  }

  @Command(name = "prune", mixinStandardHelpOptions = true, description = {"Delete all but the newest N versions (N >= 1); never the current one, the training head,",
      "or a version that a rollback command not yet applied by the updater names. Exits non-zero if a tombstone is not acknowledged."})
  static final class Prune implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Option(names = "--model", description = "Model name (default: the setting model.name).") String model;
    @Option(names = "--keep", required = true, description = "How many of the newest versions to keep (at least 1).") int keep;

    @Override
    public Integer call() throws Exception {
      String m = modelOf(options, model);
      List<Long> removed = new ModelAdmin(options.clients()).prune(m, keep);
      System.out.printf("%s: pruned %d version(s) %s%n", m, removed.size(), removed);
      return 0;
    }
  }
}
