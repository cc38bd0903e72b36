package dev.streamlearn.updater;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes ND4J's arithmetic repeatable bit for bit in this process: one thread for its own loops
 * (OpenMP), one master thread and one BLAS thread, so no floating-point sum is ever split and
 * reassembled in another order; and this thread's random generator (dropout masks) seeded. What a
 * replay ({@link Retrainer}) needs; the updater itself leaves the threads to OMP_NUM_THREADS.
 */
final class DeterministicMath {

  private DeterministicMath() {}

  static void pin(long seed) {
    Nd4j.getEnvironment().setMaxThreads(1);
    Nd4j.getEnvironment().setMaxMasterThreads(1);
    Nd4j.factory().blas().setMaxThreads(1);
    Nd4j.getRandom().setSeed(seed);
  }
}
