package dev.streamlearn.benchmarks.harness;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The hot paths (parse and clean, normalize, SMOTE's neighbour search and a whole offer, Avro encode and decode,
 * metrics) under JMH: the benchmarks of {@code dev.streamlearn.benchmarks}, one forked JVM per benchmark and
 * parameter, with fewer and shorter iterations than {@code scripts/jmh} uses (the place for careful single figures).
 * The forks get their own JVM options, not the harness's (its heap, a JFR recording or an agent would otherwise
 * follow them), and JMH's own output goes to a log file beside the JSON.
 */
final class MicroBench {

  private MicroBench() {}

  /** Nanoseconds per operation, keyed {@code Class.method} plus {@code .param_value} per parameter, in name order. */
  static Map<String, Double> run(boolean quick, java.nio.file.Path log) throws RunnerException {
    ChainedOptionsBuilder o = new OptionsBuilder()
        .include("dev\\.streamlearn\\.benchmarks\\.[A-Za-z]+Benchmark\\.")
        .forks(1)
        .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.milliseconds(quick ? 500 : 1000))
        .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.milliseconds(quick ? 500 : 1000))
        .timeUnit(TimeUnit.NANOSECONDS)
        .jvmArgs("-Xmx1g")
        .shouldFailOnError(true)
        .output(log.toString())
        .verbosity(VerboseMode.NORMAL);
    if (quick) {
      o.param("reservoir", "256", "1000");
    }
    Collection<RunResult> results = new Runner(o.build()).run();
    Map<String, Double> out = new TreeMap<>();
    for (RunResult r : results) {
      out.put(key(r.getParams()), r.getPrimaryResult().getScore());
    }
    return out;
  }

  static String key(BenchmarkParams p) {
    String[] parts = p.getBenchmark().split("\\.");
    StringBuilder k = new StringBuilder(parts[parts.length - 2]).append('.').append(parts[parts.length - 1]);
    for (String name : new java.util.TreeSet<>(p.getParamsKeys())) {
      k.append('.').append(name).append('_').append(p.getParam(name));
    }
    return k.toString();
  }

  /** The figures of one benchmark class, by key. */
  static Map<String, Double> of(Map<String, Double> all, String benchmarkClass) {
    Map<String, Double> m = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(benchmarkClass + ".")) {
        m.put(k, v);
      }
    });
    return m;
  }

  static String line(String key, double ns) {
    return String.format(Locale.ROOT, "   %-48s %,12.1f ns/op", key, ns);
  }
}
