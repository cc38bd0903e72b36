package dev.streamlearn.cli;

import dev.streamlearn.streams.PipelineReset;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Reset the streams app so that its next start processes records.raw again (after a fix to cleaning rules,",
        "the spec or the code). Stop every 'streamlearn streams' instance first. Without --yes it only prints the plan.",
        "Deletes the app's consumer group and internal topics (dedup, normalizer and SMOTE state restart empty),",
        "the per-partition reports on the stats topic and this host's local state; with --truncate-outputs also the data",
        "on records.clean/train/eval/dlq; with --respec the pinned dataset spec. Other hosts: delete their state dirs too.",
        "The model updater is not reset: it trains on the replayed records as new data (roll back first if needed)."})
public final class ReplayCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--from", defaultValue = "beginning", description = "beginning, or an ISO-8601 time: replay records appended since. Default: ${DEFAULT-VALUE}.")
  String from;

  @Option(names = "--truncate-outputs", description = "Also delete what is on records.clean, records.train, records.eval and records.dlq.")
  boolean truncate;

  @Option(names = "--respec", description = "Also unpin the dataset spec, so it is configured or inferred again.")
  boolean respec;

  @Option(names = "--yes", description = "Carry out the plan (default: print it only).")
  boolean yes;

  @Override
  public Integer call() throws Exception {
    PipelineReset reset = new PipelineReset(options.clients(), from.equals("beginning") ? null : Instant.parse(from), truncate, respec);
    PipelineReset.Plan plan = yes ? reset.execute() : reset.plan();
    System.out.printf("%s streams app %s:%n", yes ? "reset" : "plan for", plan.applicationId());
    System.out.printf("  records.raw offsets -> %s%n", new java.util.TreeMap<>(plan.rawOffsets().entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), java.util.Map.Entry::getValue))));
    System.out.printf("  delete the consumer group and %d internal topic(s) %s%n", plan.internalTopics().size(), plan.internalTopics());
    System.out.printf("  clear %d partition report(s) on the stats topic%s%n", plan.reportKeys().size(), plan.respec() ? " and the pinned spec" : "");
    System.out.printf("  truncate outputs: %s%n", plan.truncateTo().isEmpty() ? "no" : plan.truncateTo().size() + " partition(s)");
    System.out.printf("  local state: %s%n", plan.localState() == null ? "none on this host" : "delete " + plan.localState());
    if (!yes) {
      System.out.println("nothing changed: run again with --yes to carry it out");
    }
    return 0;
  }
}
