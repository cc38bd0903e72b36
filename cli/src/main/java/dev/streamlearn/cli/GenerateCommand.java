package dev.streamlearn.cli;

import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Write a deterministic, realistically dirty labeled JSON-lines stream (3 imbalanced classes, 6 features)",
        "with known duplicates and faults, and print what was injected."})
public final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--records", defaultValue = "20000", description = "Lines to write. Default: ${DEFAULT-VALUE}.")
  int records;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--fault-rate", defaultValue = "0.02", description = "Share of faulty records. Default: ${DEFAULT-VALUE}.")
  double faultRate;

  @Option(names = "--duplicate-rate", defaultValue = "0.03", description = "Share of resent duplicates. Default: ${DEFAULT-VALUE}.")
  double duplicateRate;

  @Option(names = {"-o", "--out"}, required = true, description = "Output file (.jsonl).")
  Path out;

  @Override
  public Integer call() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(seed, faultRate, duplicateRate).generate(records);
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String l : data.lines()) {
        w.write(l);
        w.write('\n');
      }
    }
    System.err.printf("wrote %,d lines to %s: %,d valid unique, %,d duplicates, rejects %s, classes %s%n", data.lines().size(), out,
        data.valid(), data.duplicates(), data.rejected(), data.classes());
    return 0;
  }
}
