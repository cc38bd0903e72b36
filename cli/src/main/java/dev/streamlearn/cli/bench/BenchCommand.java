package dev.streamlearn.cli.bench;

import dev.streamlearn.benchmarks.harness.BenchRun;
import dev.streamlearn.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The CLI's door to the benchmark harness, which lives in the benchmarks module ({@link BenchRun}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure the pipeline against the limits of Kafka and DL4J on this machine, side by side in one run,",
        "after a warm-up of the JIT: passthrough, a dedup-only reference app and the full topology (exactly_once_v2 and",
        "at_least_once), end-to-end latency at 25/50/75%% of the full topology's throughput, raw DL4J fit vs the model",
        "updater, SMOTE and hot-path costs (JMH), and growth with dedup state.",
        "Needs a running broker (scripts/bench starts the local one), except for --only micro. Writes JSON and, for a full run, PNG charts."})
public final class BenchCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--quick", description = "A reduced set (about 4 minutes) for CI smoke checks.")
  boolean quick;

  @Option(names = "--records", description = "Input records for the throughput runs. Default: 1,000,000 (--quick: 100,000).")
  Integer records;

  @Option(names = "--growth", split = ",", description = "Distinct-id counts for the growth series. Default: 100000,1000000 (--quick: 20000,100000).")
  List<Integer> growth;

  @Option(names = "--only", split = ",", description = "Run only these sections: throughput, latency, training, micro, growth (the JSON then lacks the others' figures).")
  Set<String> only;

  @Option(names = "--keys", defaultValue = "id",
      description = "Producer keys of the input: id (each record keyed by its id, as 'produce' does; the streams app then skips the repartition topic) or none. Default: ${DEFAULT-VALUE}.")
  String keys;

  @Option(names = "--json", defaultValue = "bench-results/bench.json", description = "Where the figures go. Default: ${DEFAULT-VALUE}.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (!keys.equals("id") && !keys.equals("none")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be id or none, not " + keys);
    }
    BenchRun run;
    try {
      run = new BenchRun(quick, records, growth, only, keys.equals("id"), json);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--only: " + e.getMessage());
    }
    return run.run(options.config());
  }
}
