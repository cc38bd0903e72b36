package dev.streamlearn.streams.rebalance;

import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_MODE;
import static dev.streamlearn.core.StreamlearnConfig.REBALANCE_TARGET_RATIO;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.streams.PipelineReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How balanced records.train is: per class its real records, what was emitted (synthetic included)
 * and its target, computed with {@link ClassBalance}'s rules from the counts summed over partitions.
 * Each partition balances its own share, so the sum of their targets exceeds the global target by
 * the partitions' sampling noise (each partition's largest class is a different one): the report
 * uses the partitions' own targets when the app publishes them. {@link #minMaxRatio()} over the classes
 * the mode balances (under smote every class with two real records, as it is topped up at rest) is the other figure to watch.
 */
public record BalanceReport(List<Row> rows, double minMaxRatio) {

  /**
   * One class; {@code eligible}: part of the balance (under smote two real records, topped up at rest when fewer than
   * rebalance.min.class.records; under undersample the minimum itself).
   */
  public record Row(String label, long real, long emitted, long target, boolean eligible) {
    public double ofTarget() {
      return target == 0 ? 1.0 : (double) emitted / target;
    }
  }

  /**
   * With the partitions' own targets ({@code train_target.<label>} gauges) when the app reports them: a
   * class's target is then the sum of what each partition aims at for it.
   */
  public static BalanceReport of(PipelineReport r, StreamlearnConfig c) {
    RebalanceProcessor.Mode mode = RebalanceProcessor.Mode.valueOf(c.getString(REBALANCE_MODE).toUpperCase(Locale.ROOT));
    BalanceReport global = of(r.trainReal(), r.trainClasses(), mode, c.getDouble(REBALANCE_TARGET_RATIO), ClassBalance.minClassRecords(c));
    if (r.trainTargets().isEmpty()) {
      return global;
    }
    List<Row> rows = new ArrayList<>();
    for (Row row : global.rows()) {
      rows.add(new Row(row.label(), row.real(), row.emitted(), r.trainTargets().getOrDefault(row.label(), row.target()), row.eligible()));
    }
    return new BalanceReport(rows, global.minMaxRatio());
  }

  public static BalanceReport of(Map<String, Long> real, Map<String, Long> emitted, RebalanceProcessor.Mode mode, double ratio, long minRecords) {
    List<String> labels = new ArrayList<>(real.keySet());
    ClassBalance balance = new ClassBalance(labels.size(), ratio, minRecords, 1);
    for (int c = 0; c < labels.size(); c++) {
      balance.restore(c, real.get(labels.get(c)), emitted.getOrDefault(labels.get(c), 0L));
    }
    List<Row> rows = new ArrayList<>();
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int c = 0; c < labels.size(); c++) {
      long n = balance.real(c);
      long target = balance.target(c, mode);
      // Under smote a class too small to be eligible is still topped up at rest: its count is part of the balance.
      boolean balanced = mode == RebalanceProcessor.Mode.SMOTE ? balance.settles(c) : balance.eligible(c);
      rows.add(new Row(labels.get(c), n, balance.emitted(c), target, balanced));
      if (balanced) {
        min = Math.min(min, balance.emitted(c));
        max = Math.max(max, balance.emitted(c));
      }
    }
    return new BalanceReport(rows, max == 0 ? 1.0 : (double) min / max);
  }
}
