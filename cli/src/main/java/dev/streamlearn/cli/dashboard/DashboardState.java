package dev.streamlearn.cli.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.streams.rebalance.BalanceReport;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The dashboard's JSON ({@code GET /api/state}), assembled from what the readers already return: the
 * {@code status --json} object (lag, counts, caught up), the newest versions of the model with their lineage and
 * metrics (at most a given number, plus the current one and its parent; {@code versions_total} says how many there are), the pointer history on model.current (promotions, holds, rollbacks), the class balance before and
 * after rebalancing ({@link BalanceReport}), and DLQ counts by reason. No topic is read here.
 */
public final class DashboardState {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DashboardState() {}

  /**
   * @param status what {@code status --json} prints
   * @param versions every complete version of the model
   * @param maxVersions how many of the newest versions to include (the current one and its parent come as well)
   * @param pointer its current pointer, if any
   * @param history its pointers on model.current, oldest first
   * @param pipeline the pipeline's merged figures
   * @param balance class balance from {@code pipeline}
   */
  public static ObjectNode of(String model, ObjectNode status, NavigableMap<Long, ModelSnapshot> versions, int maxVersions,
      Optional<ModelPointer> pointer, List<SnapshotCatalog.PointerAt> history, PipelineReport pipeline, BalanceReport balance) {
    ObjectNode out = JSON.createObjectNode();
    out.put("model", model);
    out.put("generated_at", System.currentTimeMillis());
    if (pointer.isPresent()) {
      out.put("current", pointer.get().getVersion());
      out.put("head", pointer.get().getHead());
    } else {
      out.putNull("current");
      out.putNull("head");
    }
    ArrayNode vs = out.putArray("versions");
    Collection<ModelSnapshot> shown = shown(versions, maxVersions, pointer.map(ModelPointer::getVersion));
    shown.forEach(s -> vs.add(version(s)));
    // The page says how many are left out: a long-lived model has thousands, and every poll would carry them all.
    out.put("versions_total", versions.size());
    out.put("versions_not_shown", versions.size() - shown.size());
    ArrayNode ps = out.putArray("pointer_history");
    history.forEach(p -> ps.add(pointer(p)));
    ObjectNode b = out.putObject("balance");
    b.put("min_max_ratio", balance.minMaxRatio());
    ArrayNode rows = b.putArray("classes");
    for (BalanceReport.Row row : balance.rows()) {
      ObjectNode r = rows.addObject();
      r.put("label", row.label());
      r.put("before", row.real());
      r.put("after", row.emitted());
      r.put("target", row.target());
      r.put("eligible", row.eligible());
    }
    ObjectNode dlq = out.putObject("dlq");
    new TreeMap<>(pipeline.dlq()).forEach(dlq::put);
    out.set("status", status);
    return out;
  }

  /** The newest {@code max} versions, plus {@code current} and its parent when they are older; oldest first. */
  static Collection<ModelSnapshot> shown(NavigableMap<Long, ModelSnapshot> versions, int max, Optional<Long> current) {
    TreeMap<Long, ModelSnapshot> out = new TreeMap<>();
    for (ModelSnapshot s : versions.descendingMap().values()) {
      if (out.size() >= max) {
        break;
      }
      out.put(s.getVersion(), s);
    }
    current.map(versions::get).ifPresent(s -> {
      out.put(s.getVersion(), s);
      Optional.ofNullable(s.getParentVersion()).map(versions::get).ifPresent(p -> out.put(p.getVersion(), p));
    });
    return out.values();
  }

  private static ObjectNode version(ModelSnapshot s) {
    ObjectNode v = JSON.createObjectNode();
    v.put("version", s.getVersion());
    if (s.getParentVersion() == null) {
      v.putNull("parent");
    } else {
      v.put("parent", s.getParentVersion());
    }
    v.put("status", s.getStatus().name());
    if (s.getHoldReason() == null) {
      v.putNull("hold_reason");
    } else {
      v.put("hold_reason", s.getHoldReason());
    }
    v.put("created_at", s.getCreatedAt());
    v.put("trained_records", s.getTrainedRecords());
    v.put("synthetic_records", s.getSyntheticRecords());
    v.put("size_bytes", s.getSizeBytes());
    v.put("sha256", s.getSha256());
    v.put("config_hash", s.getConfigHash());
    ObjectNode offsets = v.putObject("offsets");
    new TreeMap<>(s.getOffsets()).forEach(offsets::put);
    ObjectNode metrics = v.putObject("metrics");
    new TreeMap<>(s.getMetrics()).forEach((k, x) -> {
      if (Double.isFinite(x)) {
        metrics.put(k, x); // JSON has no NaN
      }
    });
    return v;
  }

  private static ObjectNode pointer(SnapshotCatalog.PointerAt at) {
    ModelPointer p = at.pointer();
    ObjectNode o = JSON.createObjectNode();
    o.put("offset", at.offset());
    o.put("version", p.getVersion());
    o.put("head", p.getHead());
    if (p.getPreviousVersion() == null) {
      o.putNull("previous");
    } else {
      o.put("previous", p.getPreviousVersion());
    }
    o.put("kind", kind(p));
    o.put("reason", p.getReason());
    o.put("updated_at", p.getUpdatedAt());
    return o;
  }

  /**
   * What moved the pointer: a rollback or roll-forward (an operator's command: the reason names it), a promotion (a
   * new version serves), or a hold (the served version stays while training moves on).
   */
  static String kind(ModelPointer p) {
    Long previous = p.getPreviousVersion();
    if (p.getReason().startsWith("rollback")) {
      return previous != null && p.getVersion() > previous ? "roll-forward" : "rollback";
    }
    if (p.getReason().startsWith("held")) {
      return "held";
    }
    return "promoted";
  }
}
