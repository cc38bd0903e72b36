package dev.streamlearn.cli;

import dev.streamlearn.core.IdKey;
import dev.streamlearn.core.TopicName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {"Send JSON-lines or CSV files to records.raw, with progress.",
        "JSON lines are sent byte for byte, split on '\\n' only, with no charset decoding: invalid UTF-8, NUL bytes",
        "and empty lines are sent too, and the clean stage rejects them to the DLQ as they were.",
        "A UTF-8 byte order mark at the start of a file is not data and is dropped.",
        "CSV (RFC 4180: a header row, commas, quoted fields may hold commas, quotes and line breaks) becomes JSON objects;",
        "a row that is not valid UTF-8, or has a non-empty cell beyond the header's, is sent as its raw bytes (the clean",
        "stage rejects it to the DLQ as MALFORMED) and counted on exit; a short row lacks its last values. Exit 1 when",
        "most rows were so. Columns that held text are named on exit: text is metadata, not a feature, and where a",
        "feature belongs the clean stage rejects the row.",
        "Each record is keyed by its id (none when it has no readable id), so the streams app needs no repartition for it."})
public final class ProduceCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Input files; '-' reads standard input.")
  List<String> files;

  @Option(names = "--format", defaultValue = "auto", description = "auto (by extension: .csv is CSV), jsonl or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--topic", description = "Target topic (default: records.raw).")
  String topic;

  @Option(names = "--label-column", defaultValue = "label", description = "CSV: the label column (matched exactly, else ignoring case). Default: ${DEFAULT-VALUE}.")
  String labelColumn;

  @Option(names = "--id-column", description = "CSV: the id column, which deduplication keys on. Default: 'id' when the file has one "
      + "(ignoring case), else ids are FILE:ROW (the file's name and the row's line number after the header, so producing a file "
      + "again deduplicates; two files of one name in different folders collide).")
  String idColumn;

  @Option(names = "--ts-column", description = "CSV: the event-time column (epoch ms). Default: 'ts' when the file has one (ignoring case); else the produce time.")
  String tsColumn;

  @Option(names = "--missing-values", defaultValue = CsvRows.DEFAULT_MISSING, split = ",",
      description = "CSV: cell values that mean 'no value', like an empty cell (the 'missing' policy then applies); '' for none. "
          + "Default: ${DEFAULT-VALUE}.")
  List<String> missingValues;

  @Option(names = "--rate", defaultValue = "0", description = "Records per second at most; 0: as fast as possible.")
  double rate;

  @Override
  public Integer call() throws Exception {
    String target = topic == null ? options.config().topic(TopicName.RAW) : options.resolveTopic(topic);
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<String> tooLarge = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    long sent = 0;
    long t0 = System.nanoTime();
    try (var admin = options.clients().admin()) {
      if (!admin.listTopics().names().get().contains(target)) {
        throw new IllegalArgumentException("topic " + target + " does not exist: run 'streamlearn topics create' first (or start 'streamlearn streams')");
      }
    }
    java.util.Set<String> missing = new java.util.HashSet<>(missingValues);
    missing.remove("");
    int rowLimit = options.config().getInt(dev.streamlearn.core.StreamlearnConfig.MAX_RECORD_BYTES);
    long badRows = 0;
    long csvRows = 0;
    long multiLineRows = 0;
    long longestRow = 0;
    List<String> badRowExamples = new java.util.ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = options.clients().producer()) {
      Sender sender = (value, where) -> {
        // Keyed by id: such a record is already on its dedup partition and skips the streams app's repartition topic.
        producer.send(new ProducerRecord<>(target, IdKey.of(value), value), (md, ex) -> {
          if (ex instanceof RecordTooLargeException) {
            tooLarge.add(where + " (" + value.length + " bytes): " + ex.getMessage());
          } else if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
        if (failure.get() != null) {
          throw failure.get();
        }
      };
      for (String file : files) {
        long total = file.equals("-") ? -1 : countLines(Path.of(file));
        boolean csv = isCsv(format, file);
        try (ByteLines in = open(file); ProgressBar bar = new ProgressBar("produce " + file, csv ? total - 1 : total)) {
          if (csv) {
            CsvRecords records = new CsvRecords(in, file, rowLimit,
                header -> new CsvRows(header, labelColumn, idColumn, tsColumn, Path.of(file).getFileName() + ":", missing));
            if (records.columns() != null) {
              System.err.println(records.columns().describe());
            }
            CsvRecords.Row row;
            while ((row = records.next()) != null) {
              bar.step(row.lines());
              if (row.blank()) {
                continue;
              }
              if (row.bad() != null && badRowExamples.size() < 5) {
                badRowExamples.add(file + " line " + (row.number() + 1) + ": " + row.bad());
              }
              sender.send(row.value(), file + " line " + (row.number() + 1));
              sent++;
              throttle(sent, t0);
            }
            badRows += records.badRows();
            csvRows += records.rows();
            multiLineRows += records.multiLineRows();
            longestRow = Math.max(longestRow, records.longestRow());
            if (records.columns() != null && !records.columns().textColumns().isEmpty()) {
              System.err.println(file + ": text where a number belongs (not learnt; rejected by the clean stage if the column is a feature): "
                  + String.join("; ", records.columns().textColumns()));
            }
          } else {
            byte[] line;
            long number = 0;
            while ((line = in.next()) != null) {
              number++;
              sender.send(number == 1 ? CsvRecords.withoutBom(line) : line, file + " line " + number);
              sent++;
              bar.step(1);
              throttle(sent, t0);
            }
          }
        }
      }
      producer.flush();
    }
    if (multiLineRows > 0) {
      System.err.printf("%,d CSV rows had quoted line breaks (the longest spanned %d lines)%n", multiLineRows, longestRow);
    }
    if (badRows > 0) {
      System.err.printf("%,d of %,d CSV rows could not be read cell by cell and were sent as their bytes (the clean stage rejects them as MALFORMED)%s%n",
          badRows, csvRows, badRows > badRowExamples.size() ? ", the first " + badRowExamples.size() + ":" : ":");
      badRowExamples.forEach(b -> System.err.println("  " + b));
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    System.err.printf("produced %,d records to %s in %.1f s%n", sent - tooLarge.size(), target, (System.nanoTime() - t0) / 1e9);
    if (badRows * 2 > csvRows) {
      // Most rows unreadable is a file in another format (';' or tab separated, another encoding), not dirty data.
      System.err.println("most CSV rows could not be read: is the file comma-separated UTF-8 with one header row?");
      return 1;
    }
    if (!tooLarge.isEmpty()) {
      // Not silent: each line the broker or producer refused for its size is named, and the exit code says so.
      tooLarge.forEach(t -> System.err.println("not sent, too large: " + t));
      return 1;
    }
    return 0;
  }

  /** Whether {@code file} is read as CSV under {@code --format}; a format other than auto, jsonl or csv is refused. */
  static boolean isCsv(String format, String file) {
    return switch (format) {
      case "csv" -> true;
      case "jsonl" -> false;
      case "auto" -> file.toLowerCase(java.util.Locale.ROOT).endsWith(".csv");
      default -> throw new IllegalArgumentException("--format must be auto, jsonl or csv, not '" + format + "'");
    };
  }

  /** Sends one record; rethrows the first asynchronous send failure seen so far. */
  @FunctionalInterface
  private interface Sender {
    void send(byte[] value, String where) throws Exception;
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

  private static ByteLines open(String file) throws java.io.IOException {
    return new ByteLines(file.equals("-") ? System.in : Files.newInputStream(Path.of(file)));
  }

  private static long countLines(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("no such file: " + p);
    }
    try (var in = Files.newInputStream(p)) {
      return ByteLines.count(in); // bytes, not characters: a line of invalid UTF-8 still counts
    }
  }
}
