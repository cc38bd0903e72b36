package dev.streamlearn.client;

import java.util.Map;

/** One answer of a served model: the most probable label, every label's probability, and the version that answered. */
public record Prediction(String label, Map<String, Double> probabilities, long version) {}
