package dev.streamlearn.cli;

import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.JsonRenderer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = {"Inspect rejected records: counts by reason, then each record (reason, message, source, original bytes).",
        "--export writes the original values, one per line, for fixing and re-producing with 'streamlearn produce'."})
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
    JsonRenderer renderer = new JsonRenderer();
    try (OutputStream out = export == null ? OutputStream.nullOutputStream() : Files.newOutputStream(export)) {
      new TopicReader(options.clients()).readAll(options.config().topic(TopicName.DLQ), rec -> {
        RejectedRecord r = Avro.REJECTED.decode(rec.value());
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
    if (export != null) {
      System.err.printf("wrote %,d original value(s) to %s%n", total, export);
    }
    return 0;
  }
}
