package dev.streamlearn.cli;

import dev.streamlearn.core.TopicName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {"Send JSON-lines or CSV files to records.raw, with progress.",
        "JSON lines are sent byte for byte (a malformed line reaches the DLQ as it was); CSV rows become JSON objects."})
public final class ProduceCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Input files; '-' reads standard input.")
  List<String> files;

  @Option(names = "--format", defaultValue = "auto", description = "auto (by extension: .csv is CSV), jsonl or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--topic", description = "Target topic (default: records.raw).")
  String topic;

  @Option(names = "--label-column", defaultValue = "label", description = "CSV: the label column. Default: ${DEFAULT-VALUE}.")
  String labelColumn;

  @Option(names = "--id-column", defaultValue = "id", description = "CSV: the id column; without it ids are FILE:ROW. Default: ${DEFAULT-VALUE}.")
  String idColumn;

  @Option(names = "--ts-column", defaultValue = "ts", description = "CSV: the event-time column (epoch ms). Default: ${DEFAULT-VALUE}.")
  String tsColumn;

  @Option(names = "--rate", defaultValue = "0", description = "Records per second at most; 0: as fast as possible.")
  double rate;

  @Override
  public Integer call() throws Exception {
    String target = topic == null ? options.config().topic(TopicName.RAW) : options.resolveTopic(topic);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long sent = 0;
    long t0 = System.nanoTime();
    try (var admin = options.clients().admin()) {
      if (!admin.listTopics().names().get().contains(target)) {
        throw new IllegalArgumentException("topic " + target + " does not exist: run 'streamlearn topics create' first (or start 'streamlearn streams')");
      }
    }
    try (KafkaProducer<byte[], byte[]> producer = options.clients().producer()) {
      for (String file : files) {
        long total = file.equals("-") ? -1 : countLines(Path.of(file));
        boolean csv = format.equals("csv") || (format.equals("auto") && file.toLowerCase().endsWith(".csv"));
        try (BufferedReader in = open(file); ProgressBar bar = new ProgressBar("produce " + file, csv ? total - 1 : total)) {
          CsvRows rows = null;
          String line;
          long row = 0;
          while ((line = in.readLine()) != null) {
            if (csv && rows == null) {
              rows = new CsvRows(line, labelColumn, idColumn, tsColumn, Path.of(file).getFileName() + ":");
              continue;
            }
            row++;
            if (line.isBlank()) {
              bar.step(1);
              continue;
            }
            String value = csv ? rows.toJson(line, row) : line;
            producer.send(new ProducerRecord<>(target, null, value.getBytes(StandardCharsets.UTF_8)), (md, ex) -> {
              if (ex != null) {
                failure.compareAndSet(null, ex);
              }
            });
            sent++;
            bar.step(1);
            if (failure.get() != null) {
              throw failure.get();
            }
            throttle(sent, t0);
          }
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    System.err.printf("produced %,d records to %s in %.1f s%n", sent, target, (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private void throttle(long sent, long t0) throws InterruptedException {
    if (rate > 0) {
      long due = t0 + (long) (sent / rate * 1e9);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing to a wall-clock rate, not synchronisation
      }
    }
  }

  private static BufferedReader open(String file) throws java.io.IOException {
    return file.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
  }

  private static long countLines(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("no such file: " + p);
    }
    try (var lines = Files.lines(p, StandardCharsets.UTF_8)) {
      return lines.count();
    }
  }
}
