package dev.streamlearn.cli;

import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.JsonRenderer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = {"Inspect rejected records: counts by reason, then each record (reason, message, source, original bytes).",
        "--export writes the original values, one per line, for fixing and re-producing with 'streamlearn produce'.",
        "'dlq reprocess' sends them back to records.raw as they are, after a fix of the configuration or the code."},
    subcommands = DlqCommand.Reprocess.class)
public final class DlqCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--reason", description = "Only this reason code (MALFORMED, MISSING_LABEL, ...).")
  String reason;

  @Option(names = "--limit", defaultValue = "20", description = "Records to print; 0: only the summary. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--export", paramLabel = "FILE", description = "Write the matching original values to FILE, one per line.")
  Path export;

  @Override
  public Integer call() throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    int[] printed = {0};
    int[] unreadable = {0};
    JsonRenderer renderer = new JsonRenderer();
    try (OutputStream out = export == null ? OutputStream.nullOutputStream() : Files.newOutputStream(export)) {
      new TopicReader(options.clients()).readAll(options.config().topic(TopicName.DLQ), rec -> {
        RejectedRecord r;
        try {
          r = dev.streamlearn.core.UntrustedBytes.decode(Avro.REJECTED, rec.value());
        } catch (RuntimeException e) {
          unreadable[0]++; // not a dead letter: counted, never a crash
          return;
        }
        if (reason != null && !reason.equalsIgnoreCase(r.getReason())) {
          return;
        }
        counts.merge(r.getReason(), 1L, Long::sum);
        byte[] original = new byte[r.getOriginal().remaining()];
        r.getOriginal().duplicate().get(original);
        try {
          out.write(original);
          out.write('\n');
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        if (printed[0]++ < limit) {
          System.out.printf("%-20s %s  [%s/%d@%d]%n    %s%n", r.getReason(), r.getMessage(), r.getSourceTopic(), r.getSourcePartition(),
              r.getSourceOffset(), renderer.renderLine(original));
        }
      });
    }
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%,d rejected record(s)%n", total);
    counts.forEach((k, v) -> System.out.printf("  %-22s %,d%n", k, v));
    if (unreadable[0] > 0) {
      System.out.printf("and %,d record(s) that are no dead letter (unreadable or tombstones)%n", unreadable[0]);
    }
    if (export != null) {
      System.err.printf("wrote %,d original value(s) to %s%n", total, export);
    }
    return 0;
  }

  @Command(name = "reprocess", mixinStandardHelpOptions = true,
      description = {"Send dead letters back to records.raw after a fix (configuration or code): their original bytes, keyed by their id",
          "as 'produce' keys them, so dedup still holds (a record accepted meanwhile is not trained on twice, within dedup.retention.ms of",
          "event time), with the timestamp of the",
          "record that was rejected. Each carries the header streamlearn.reprocessed=N (N: times sent back; a dead letter rejected again",
          "keeps it). A record dead-lettered several times is one record: its newest dead letter stands for it, and --reason and --ids",
          "select on that one. Dead letters written while pii.fields was set are never sent (their original is scrubbed or withheld):",
          "fix those at the source and produce them again. Without --yes, prints the plan and sends nothing.",
          "Exit codes: 0 done; 1 some --ids have no dead letter (named; the others are still planned or sent); 2 usage error."})
  static final class Reprocess implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--reason", description = "Only records whose newest dead letter has this reason code (MALFORMED, MISSING_FEATURE, ...).") String reason;
    @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Only these record ids (comma-separated).") List<String> ids;
    @Option(names = "--yes", description = "Send them (default: only print the plan).") boolean yes;

    @Override
    public Integer call() {
      if (reason != null && DlqReprocessor.reasons().stream().noneMatch(r -> r.equalsIgnoreCase(reason.trim()))) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--reason " + reason + " is no reason code; the codes are " + String.join(", ", DlqReprocessor.reasons()));
      }
      DlqReprocessor reprocessor = new DlqReprocessor(options.clients());
      DlqReprocessor.Plan plan = reprocessor.plan(reason == null ? null : reason.trim(), ids == null ? Set.of() : new HashSet<>(ids));
      String raw = options.config().topic(TopicName.RAW);
      System.out.printf("%,d record(s) to send back to %s (%,d matching dead letter(s))%n", plan.letters().size(), raw, plan.entries());
      plan.byReason().forEach((k, v) -> System.out.printf("  %-22s %,d%n", k, v));
      long before = plan.letters().stream().filter(l -> l.reprocessed() > 0).count();
      if (before > 0) {
        System.out.printf("  sent back before: %,d (up to %d times)%n", before, plan.letters().stream().mapToInt(DlqReprocessor.Letter::reprocessed).max().orElse(0));
      }
      if (plan.scrubbed() > 0) {
        System.out.printf("  withheld: %,d scrubbed of PII (pii.fields was set when they were rejected); fix at the source and produce again%n", plan.scrubbed());
      }
      if (plan.withheld() > 0) {
        System.out.printf("  withheld: %,d with no original (pii.fields was set and they could not be scrubbed); fix at the source and produce again%n",
            plan.withheld());
      }
      if (plan.unreadable() + plan.tombstones() > 0) {
        System.out.printf("  skipped on %s: %,d unreadable record(s), %,d tombstone(s) (no dead letters)%n", options.config().topic(TopicName.DLQ),
            plan.unreadable(), plan.tombstones());
      }
      plan.letters().stream().limit(5).forEach(l -> System.out.printf("  %s  %s%n", l.id() == null ? "(no id)" : l.id(), l.reason()));
      if (plan.letters().size() > 5) {
        System.out.printf("  ... and %,d more%n", plan.letters().size() - 5);
      }
      if (!plan.unmatchedIds().isEmpty()) {
        System.out.printf("  no dead letter has id(s): %s%n", String.join(", ", plan.unmatchedIds()));
      }
      int code = plan.unmatchedIds().isEmpty() ? 0 : 1;
      if (!yes) {
        System.out.println("nothing sent: add --yes to send them");
        return code;
      }
      int sent = reprocessor.send(plan);
      System.out.printf("sent %,d record(s) to %s, keyed by id, with header %s%n", sent, raw, DlqReprocessor.HEADER);
      return code;
    }
  }
}
