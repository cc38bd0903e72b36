package dev.streamlearn.streams.clean;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEvent;
import dev.streamlearn.schemas.RawEventParser;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Validates one raw record against the dataset spec. Pure: no Kafka here, so every rule is
 * unit-testable. A record either comes out as a {@link LabeledRecord} whose features are exactly the
 * spec's (a feature missing under missing=impute-mean is left out for the normalizer to impute), or
 * as a {@link Rejection} with its reason.
 */
public final class Cleaner {

  /** The {@code missing} setting: reject a record with a missing feature, or let the normalizer impute its running mean. */
  public enum MissingPolicy {
    REJECT, IMPUTE_MEAN;

    public static MissingPolicy of(String name) {
      return switch (String.valueOf(name)) {
        case "reject" -> REJECT;
        case "impute-mean" -> IMPUTE_MEAN;
        default -> throw new IllegalArgumentException("unknown missing-feature policy '" + name + "' (reject or impute-mean)");
      };
    }
  }

  /** The {@code extra} setting: reject a record with a feature the spec does not have, or drop that feature. */
  public enum ExtraPolicy {
    REJECT, DROP;

    public static ExtraPolicy of(String name) {
      return switch (String.valueOf(name)) {
        case "reject" -> REJECT;
        case "drop" -> DROP;
        default -> throw new IllegalArgumentException("unknown extra-feature policy '" + name + "' (reject or drop)");
      };
    }
  }

  /** The outcome: exactly one of record and rejection is set. */
  public record Result(LabeledRecord record, Rejection rejection) {
    static Result reject(RejectReason reason, String message) {
      return new Result(null, new Rejection(reason, message));
    }
  }

  private final RawEventParser parser = new RawEventParser();
  private final DatasetSpec spec;
  private final Set<String> labels;
  private final MissingPolicy missing;
  private final ExtraPolicy extra;
  private final Limits limits;
  private final PiiScrubber pii;

  /**
   * What a record may be and still count as valid data.
   *
   * @param maxBytes largest record value
   * @param featureMaxAbs largest feature magnitude: beyond it, one value dominates every running statistic
   * @param maxFutureMs how far an event time may lie after its Kafka record's timestamp: a far-future
   *     event time would advance the dedup window's clock and let every later duplicate through
   */
  public record Limits(int maxBytes, double featureMaxAbs, long maxFutureMs) {}

  public Cleaner(DatasetSpec spec, MissingPolicy missing, ExtraPolicy extra, Limits limits, PiiScrubber pii) {
    this.spec = spec;
    this.labels = new HashSet<>(spec.getLabels());
    this.missing = missing;
    this.extra = extra;
    this.limits = limits;
    this.pii = pii;
  }

  /** The scrubber of this stage, which the DLQ copy of a rejected record goes through too. */
  public PiiScrubber pii() {
    return pii;
  }

  /** @param fallbackTs the Kafka record timestamp, used when the event has no ts */
  public Result clean(byte[] value, long fallbackTs) {
    if (value != null && value.length > limits.maxBytes()) {
      return Result.reject(RejectReason.OVERSIZE, value.length + " bytes > clean.max.record.bytes=" + limits.maxBytes());
    }
    RawEvent e;
    try {
      e = parser.parse(value);
    } catch (MalformedRecordException ex) {
      return Result.reject(RejectReason.MALFORMED, ex.getMessage());
    }
    return clean(e, fallbackTs);
  }

  public Result clean(RawEvent e, long fallbackTs) {
    Map<String, Double> features = new LinkedHashMap<>(e.features());
    Map<String, String> metadata = new LinkedHashMap<>(e.metadata());
    pii.scrub(features, metadata);
    if (e.id() == null || e.id().isBlank()) {
      return Result.reject(RejectReason.MISSING_ID, "no id");
    }
    String label = e.label() == null ? "" : e.label().trim();
    if (label.isEmpty()) {
      return Result.reject(RejectReason.MISSING_LABEL, "no label");
    }
    if (!labels.contains(label)) {
      return Result.reject(RejectReason.UNKNOWN_LABEL, "label '" + label + "' is not one of " + spec.getLabels());
    }
    Map<String, Double> kept = new LinkedHashMap<>();
    for (String name : spec.getFeatures()) {
      Double v = features.remove(name);
      if (v == null) {
        if (metadata.containsKey(name)) {
          return Result.reject(RejectReason.NON_FINITE_FEATURE, "feature '" + name + "' is not a number: " + metadata.get(name));
        }
        if (missing == MissingPolicy.REJECT) {
          return Result.reject(RejectReason.MISSING_FEATURE, "feature '" + name + "' is missing");
        }
        continue; // imputed by the normalizer with its running mean
      }
      if (!Double.isFinite(v)) {
        return Result.reject(RejectReason.NON_FINITE_FEATURE, "feature '" + name + "' is " + v);
      }
      if (Math.abs(v) > limits.featureMaxAbs()) {
        return Result.reject(RejectReason.OUT_OF_RANGE, "feature '" + name + "' has magnitude above clean.feature.max.abs=" + limits.featureMaxAbs());
      }
      kept.put(name, v);
    }
    if (!features.isEmpty() && extra == ExtraPolicy.REJECT) {
      return Result.reject(RejectReason.EXTRA_FEATURE, "features not in the spec: " + features.keySet());
    }
    long ts = e.ts() == null ? fallbackTs : e.ts();
    if (ts < 0) {
      return Result.reject(RejectReason.BAD_TIMESTAMP, "event time is negative");
    }
    long latest = fallbackTs > Long.MAX_VALUE - limits.maxFutureMs() ? Long.MAX_VALUE : fallbackTs + limits.maxFutureMs();
    if (ts > latest) {
      return Result.reject(RejectReason.BAD_TIMESTAMP,
          "event time is " + (ts - fallbackTs) + " ms after the record's Kafka timestamp (clean.max.future.ms=" + limits.maxFutureMs() + ")");
    }
    return new Result(LabeledRecord.newBuilder().setId(e.id()).setTs(ts).setLabel(label).setFeatures(kept).setMetadata(metadata).build(), null);
  }
}
