package dev.streamlearn.stats;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.NormalizerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts {@link RunningStats} to and from the {@code NormalizerStats} contract type. */
public final class StatsCodec {

  private StatsCodec() {}

  public static NormalizerStats toAvro(RunningStats s, DatasetSpec spec, String method, int partition, Map<String, Long> counters, long now) {
    return NormalizerStats.newBuilder().setVersion(s.maxCount()).setPartition(partition).setMethod(method).setSpec(spec)
        .setCount(longs(s.counts())).setMean(doubles(s.means())).setM2(doubles(s.m2s()))
        .setMin(doubles(s.mins())).setMax(doubles(s.maxs())).setCounters(counters).setUpdatedAt(now).build();
  }

  public static RunningStats fromAvro(NormalizerStats n) {
    int w = n.getCount().size();
    long[] c = new long[w];
    double[] mean = new double[w];
    double[] m2 = new double[w];
    double[] min = new double[w];
    double[] max = new double[w];
    for (int i = 0; i < w; i++) {
      c[i] = n.getCount().get(i);
      mean[i] = n.getMean().get(i);
      m2[i] = n.getM2().get(i);
      min[i] = n.getMin().get(i);
      max[i] = n.getMax().get(i);
    }
    return new RunningStats(c, mean, m2, min, max);
  }

  private static List<Long> longs(long[] a) {
    List<Long> l = new ArrayList<>(a.length);
    for (long v : a) {
      l.add(v);
    }
    return l;
  }

  private static List<Double> doubles(double[] a) {
    List<Double> l = new ArrayList<>(a.length);
    for (double v : a) {
      l.add(v);
    }
    return l;
  }
}
