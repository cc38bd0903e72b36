package dev.streamlearn.schemas;

import java.util.Map;

/**
 * A labeled event as it arrived, before validation: any field may be missing (null) or wrong.
 * The cleaner turns it into a {@code LabeledRecord} or a rejection.
 *
 * @param features numeric fields; a non-number arriving where a feature is expected stays in {@code metadata}
 */
public record RawEvent(String id, Long ts, String label, Map<String, Double> features, Map<String, String> metadata) {}
