package dev.streamlearn.updater;

import java.util.ArrayDeque;
import java.util.Deque;

/** The most recent eval records (features and label), bounded: the window every metric and the quality gate use. */
public final class EvalWindow {

  private record Sample(double[] x, int label) {}

  private final int capacity;
  private final Deque<Sample> samples = new ArrayDeque<>();

  public EvalWindow(int capacity) {
    this.capacity = capacity;
  }

  public void add(double[] x, int label) {
    if (samples.size() == capacity) {
      samples.removeFirst();
    }
    samples.addLast(new Sample(x, label));
  }

  public int size() {
    return samples.size();
  }

  public double[][] features() {
    return samples.stream().map(Sample::x).toArray(double[][]::new);
  }

  public int[] labels() {
    return samples.stream().mapToInt(Sample::label).toArray();
  }
}
