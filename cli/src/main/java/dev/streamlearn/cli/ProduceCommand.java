package dev.streamlearn.cli;

import dev.streamlearn.core.IdKey;
import dev.streamlearn.core.TopicName;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
        "CSV rows become JSON objects; a row that is not valid UTF-8 is sent as its raw bytes.",
        "Each record is keyed by its id (none when it has no readable id), so the streams app needs no repartition for it."})
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
    List<String> tooLarge = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
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
        try (ByteLines in = open(file); ProgressBar bar = new ProgressBar("produce " + file, csv ? total - 1 : total)) {
          CsvRows rows = null;
          byte[] line;
          long row = 0;
          while ((line = in.next()) != null) {
            if (csv && rows == null) {
              rows = new CsvRows(decodeHeader(line, file), labelColumn, idColumn, tsColumn, Path.of(file).getFileName() + ":");
              continue;
            }
            row++;
            if (csv && ByteLines.isBlank(line)) { // a blank CSV row is no row (files often end with one)
              bar.step(1);
              continue;
            }
            byte[] value = csv ? csvValue(rows, line, row) : line;
            String where = file + " line " + (csv ? row + 1 : row);
            // Keyed by id: such a record is already on its dedup partition and skips the streams app's repartition topic.
            producer.send(new ProducerRecord<>(target, IdKey.of(value), value), (md, ex) -> {
              if (ex instanceof RecordTooLargeException) {
                tooLarge.add(where + " (" + value.length + " bytes): " + ex.getMessage());
              } else if (ex != null) {
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
    System.err.printf("produced %,d records to %s in %.1f s%n", sent - tooLarge.size(), target, (System.nanoTime() - t0) / 1e9);
    if (!tooLarge.isEmpty()) {
      // Not silent: each line the broker or producer refused for its size is named, and the exit code says so.
      tooLarge.forEach(t -> System.err.println("not sent, too large: " + t));
      return 1;
    }
    return 0;
  }

  /**
   * A CSV row as the JSON object records.raw accepts; a row that is not valid UTF-8 cannot be
   * split into cells safely, so it goes as its raw bytes and the clean stage rejects it as MALFORMED.
   */
  private static byte[] csvValue(CsvRows rows, byte[] line, long row) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
      return rows.toJson(text, row).getBytes(StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      return line;
    }
  }

  private static String decodeHeader(byte[] line, String file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("CSV header of " + file + " is not valid UTF-8");
    }
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
