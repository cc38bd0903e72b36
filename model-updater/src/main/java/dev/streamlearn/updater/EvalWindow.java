package dev.streamlearn.updater;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The most recent eval records (features, label, and where each was read), bounded: the window every
 * metric and the quality gate use. The positions let a snapshot say which records it was judged on.
 */
public final class EvalWindow {

  /** {@code raw}: x holds cleaned raw values, to be transformed with the transform of the model being scored. */
  private record Sample(double[] x, boolean raw, int label, int partition, long offset) {}

  /** Offsets of one partition's records in the window: {@code from} the first, {@code to} past the last. */
  public record Range(long from, long to) {}

  private final int capacity;
  private final Deque<Sample> samples = new ArrayDeque<>();

  public EvalWindow(int capacity) {
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  /** Adds a record whose features are already normalized (records written before raw values travelled with them). */
  public void add(double[] x, int label, int partition, long offset) {
    add(x, false, label, partition, offset);
  }

  /** Adds a record by its cleaned raw values: each model is scored on them through its own serving transform. */
  public void addRaw(double[] raw, int label, int partition, long offset) {
    add(raw, true, label, partition, offset);
  }

  private void add(double[] x, boolean raw, int label, int partition, long offset) {
    if (samples.size() == capacity) {
      samples.removeFirst();
    }
    samples.addLast(new Sample(x, raw, label, partition, offset));
  }

  public int size() {
    return samples.size();
  }

  public double[][] features() {
    return features(UnaryOperator.identity());
  }

  /** The model inputs: raw records through {@code transform}, already normalized ones as they are. */
  public double[][] features(UnaryOperator<double[]> transform) {
    return samples.stream().map(s -> s.raw() ? transform.apply(s.x()) : s.x()).toArray(double[][]::new);
  }

  public int[] labels() {
    return samples.stream().mapToInt(Sample::label).toArray();
  }

  /** Per partition, the offsets the window's records span (transaction markers and records skipped as unfit leave gaps inside). */
  public Map<Integer, Range> ranges() {
    Map<Integer, Range> out = new TreeMap<>();
    for (Sample s : samples) {
      out.merge(s.partition(), new Range(s.offset(), s.offset() + 1), (a, b) -> new Range(Math.min(a.from(), b.from()), Math.max(a.to(), b.to())));
    }
    return out;
  }
}
