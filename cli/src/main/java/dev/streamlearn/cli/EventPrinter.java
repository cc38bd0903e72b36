package dev.streamlearn.cli;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.updater.SnapshotEvent;
import java.util.Map;
import java.util.function.Consumer;

/** One line per updater event, for people. */
public final class EventPrinter implements Consumer<SnapshotEvent> {

  @Override
  public void accept(SnapshotEvent e) {
    System.out.println(format(e));
    System.out.flush();
  }

  /** A version made at rest says so: its record count did not move, its epochs over the replay reservoir did. */
  private static String rested(Map<String, Double> metrics) {
    double batches = metrics.getOrDefault(dev.streamlearn.updater.OnlineLearner.REST_BATCHES, 0.0);
    if (batches == 0) {
      return "";
    }
    boolean stopped = metrics.getOrDefault(dev.streamlearn.updater.OnlineLearner.REST_STOPPED, 0.0) > 0;
    return String.format("  at rest: %,.0f mini-batches from the replay reservoir%s", batches,
        stopped ? ", stopped early (its held-out records' loss stopped falling; the best point kept)" : "");
  }

  static String format(SnapshotEvent e) {
    if (e instanceof SnapshotEvent.Published p) {
      ModelSnapshot m = p.meta();
      Map<String, Double> x = m.getMetrics();
      String status = m.getStatus() == SnapshotStatus.PROMOTED ? "PROMOTED" : "HELD    ";
      return String.format("%s v%-3d parent %-4s %s trained %,9d (%,d synthetic)  eval n=%.0f acc %.3f bal_acc %.3f macroF1 %.3f auc %.3f logloss %.3f  %s  publish %d ms  fit %,.0f samples/s%s%s",
          m.getModel(), m.getVersion(), m.getParentVersion() == null ? "-" : "v" + m.getParentVersion(), status, m.getTrainedRecords(),
          m.getSyntheticRecords(), x.getOrDefault("n", 0.0), x.getOrDefault("accuracy", Double.NaN), x.getOrDefault("balanced_accuracy", Double.NaN),
          x.getOrDefault("macro_f1", Double.NaN), x.getOrDefault("roc_auc", Double.NaN), x.getOrDefault("log_loss", Double.NaN), dev.streamlearn.core.ByteSize.format(m.getSizeBytes()),
          p.publishMs(), p.trainSamplesPerSecond(), rested(x), m.getStatus() == SnapshotStatus.HELD ? "\n      held: " + m.getHoldReason() + "; current stays v" + p.servingVersion() : "");
    }
    if (e instanceof SnapshotEvent.RolledBack r) {
      return String.format("%s ROLLBACK v%d -> v%d (%s)", r.model(), r.from(), r.to(), r.reason());
    }
    if (e instanceof SnapshotEvent.Waiting w) {
      return "updater for model " + w.model() + " is waiting: another instance leads; it takes over when that one stops";
    }
    SnapshotEvent.Resumed r = (SnapshotEvent.Resumed) e;
    return r.headVersion() < 0 ? "updater for model " + r.model() + " starts from scratch"
        : String.format("updater for model %s resumes from v%d (current v%d) at offsets %s", r.model(), r.headVersion(), r.servingVersion(), r.offsets());
  }
}
