package dev.streamlearn.updater;

import dev.streamlearn.updater.metrics.Predictions;
import dev.streamlearn.updater.metrics.Prequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import dev.streamlearn.client.Network;

/**
 * Training, evaluation and gating of one model, with no Kafka in it: records go in one at a time
 * ({@link #learnOne} for training, {@link #evalOne} for evaluation), are fitted in mini-batches, and
 * {@link #judge} scores the trained network (the head) and the serving one on the same eval window
 * and lets the {@link QualityGate} decide. The Kafka shell ({@link ModelUpdater}) feeds it, turns a
 * judgement into a snapshot and calls {@link #promote} once that snapshot is committed.
 *
 * <p>Before each mini-batch is fitted, its real (not synthetic) records are scored by the network that
 * has not learnt them yet: the prequential metrics ({@link Prequential}) every snapshot carries. A snapshot also
 * carries {@code train_loss}: the mean of the network's score after each fit of new records since the last snapshot.
 *
 * <p>With {@link #withFitThread}, a full mini-batch's prequential test and fits run on a training thread of their own
 * while the caller goes on with the next records; every method that reads the network or what the fits count waits for
 * them first, so a caller sees the same learner either way. Not thread-safe: one caller thread.
 */
public final class OnlineLearner implements AutoCloseable {

  /** What a snapshot says about the records its network has learnt: counts and (for the prequential state) its metrics. */
  public record Lineage(long trained, long synthetic, Map<String, Double> metrics) {
    public static final Lineage EMPTY = new Lineage(0, 0, Map.of());
  }

  /** A snapshot's verdict and the metrics map it records (the head's, the serving version's as current_*, the gate's interval). */
  public record Judgement(QualityGate.Decision decision, Map<String, Double> metrics) {}

  private record Pending(double[] x, int label, double weight, boolean real) {}

  /**
   * Training at rest ({@link #restStep}): {@code epochs} fits per record learnt, counting every fit (new, replayed and at rest),
   * for at most {@code maxRecords} records' worth; 0 epochs turns it off.
   */
  public record Rest(int epochs, long maxRecords) {
    public static final Rest OFF = new Rest(0, 0);

    public Rest {
      if (epochs < 0 || maxRecords < 0) {
        throw new IllegalArgumentException("rest epochs and records must be >= 0: " + epochs + ", " + maxRecords);
      }
    }
  }

  /** The lineage metric that counts samples fitted (new, replayed and at rest): divided by the records trained, the epochs made. */
  public static final String FITTED_SAMPLES = "fitted_samples";
  /** Mini-batches fitted at rest since the previous snapshot. */
  public static final String REST_BATCHES = "rest_batches";
  /** Samples training at rest still owes when the snapshot is taken: 0 once the rest is done (or off). */
  public static final String REST_OWED = "rest_owed";
  /** Rests since the previous snapshot that stopped early, their held-out records' loss no longer falling. */
  public static final String REST_STOPPED = "rest_stopped_early";
  /** One real record in this many, in the reservoir, is held out of a rest to judge it. */
  static final int REST_JUDGE_EVERY = 5;
  /** A rest stops when its held-out loss has not improved for this many epochs over the records it fits. */
  static final int REST_PATIENCE_EPOCHS = 10;
  /** Mini-batches between two scorings of a rest's held-out records: however many a caller asks for, a judged rest fits this many at a time. */
  public static final int REST_SLICE_BATCHES = 8;

  private final QualityGate gate;
  private final int batchSize;
  private final List<String> labelNames;
  private final EvalWindow window;
  /** Training records waiting for their mini-batch to fill. */
  private final List<Pending> batch = new ArrayList<>();
  private final Trainer trainer;
  private Network serving;
  private long trained;
  private long synthetic;
  private Prequential prequential;
  private long trainedSinceSnapshot;
  private long fitNanos;
  private long fitSamples;
  /** The network's score (its loss on the mini-batch) after each fit of new records since the last snapshot: summed, and counted. */
  private double lossSum;
  private long lossFits;
  private ReplayBuffer replay;
  private int replayBatches;
  private Rest rest = Rest.OFF;
  /** Samples fitted along the lineage: each new record once, each replayed and rested mini-batch's records. */
  private long fitted;
  /** {@link #fitted} came from an older snapshot that did not record it: estimated from the record count once the replay rate is known. */
  private boolean fittedEstimated;
  /**
   * The records learnt, and the samples fitted, since the replay reservoir was last empty (at the start, a restart, a
   * rollback): only those records can be drawn at rest, so only they owe epochs. What the lineage's earlier records still
   * owed is forgiven, or a restart's rest would fit their debt on the few records read since, many times over each.
   */
  private long trainedAtReset;
  private long fittedSinceReset;
  /** Samples a rest that stopped early gave up since the reset: no longer owed. */
  private long restWaived;
  private RestSession session;
  private long restStoppedSinceSnapshot;

  /**
   * A rest in progress. Epochs over a small data set overfit a noisy one (Pima diabetes: served ROC AUC 0.88 after one
   * pass, 0.77 after 100 epochs), and the gate cannot tell with a few dozen eval records. So a rest holds every fifth real
   * record of the reservoir out of its mini-batches, scores the network on them as it goes, keeps the parameters that
   * scored best, and stops when ten epochs bring no improvement, as a batch learner's early stopping does. The held-out
   * records were learnt in the pass before: their loss is a proxy that starts low, not a clean estimate, but a network
   * that goes on fitting the others past their signal loses on them.
   */
  private static final class RestSession {
    final int[] fit;
    final ReplayBuffer.Batch judge;
    final int patience;
    double best;
    org.nd4j.linalg.api.ndarray.INDArray bestParams;
    int sinceBest;

    RestSession(int[] fit, ReplayBuffer.Batch judge, int patience) {
      this.fit = fit;
      this.judge = judge;
      this.patience = patience;
    }
  }
  private long restBatchesSinceSnapshot;
  /** Where full mini-batches are fitted while the caller goes on; null: on the caller's thread. */
  private FitThread fitThread;
  /** Mini-batches assembled and not yet handed over, each as its fit. */
  private final List<Runnable> assembled = new ArrayList<>();
  private int assembledRecords;
  /**
   * Mini-batches handed over at a time. Each hand-off wakes the fit thread and, at the next one, the caller: once per
   * mini-batch is every few milliseconds, once per 16 about every thousand records. Fitting in memory with a long-lived
   * fit thread, 14 paired rounds each gave medians of 0.84 (one at a time) and 1.28 (16) of the speed of fitting on the
   * caller's thread, on a machine whose rounds varied threefold: the direction, not the size. Only with a fit thread:
   * without one, a mini-batch is fitted as soon as it is full.
   */
  static final int HAND_OVER_BATCHES = 16;

  /**
   * @param head the network training continues from
   * @param serving the network currently served, or null before the first version
   * @param lineage what the head has learnt ({@link Lineage#EMPTY} for a new network)
   */
  public OnlineLearner(Network head, Network serving, Lineage lineage, List<String> labelNames, QualityGate gate, int batchSize,
      int evalWindow) {
    this(head, serving, lineage, labelNames, gate, batchSize, evalWindow, 0);
  }

  /** As above, judging, snapshotting and serving the moving average of the parameters with {@code averageDecay} (0: the head itself; {@link Trainer}). */
  public OnlineLearner(Network head, Network serving, Lineage lineage, List<String> labelNames, QualityGate gate, int batchSize,
      int evalWindow, double averageDecay) {
    this.trainer = new Trainer(head, averageDecay);
    this.serving = serving;
    this.labelNames = List.copyOf(labelNames);
    this.gate = gate;
    this.batchSize = batchSize;
    this.window = new EvalWindow(evalWindow);
    continueFrom(lineage);
  }

  /** After each new mini-batch, also fit {@code batches} mini-batches replayed from {@code buffer} (0: no replay). */
  public OnlineLearner withReplay(ReplayBuffer buffer, int batches) {
    this.replay = buffer;
    this.replayBatches = batches;
    if (fittedEstimated) {
      fitted = trained * (1 + (long) batches);
    }
    return this;
  }

  /** Trains at rest by {@code policy} when the shell calls {@link #restStep} (needs the replay reservoir of {@link #withReplay}). */
  public OnlineLearner withRest(Rest policy) {
    this.rest = policy;
    return this;
  }

  /**
   * Fits full mini-batches on a thread of its own, named {@code name}, one at a time while the caller assembles the next
   * (the caller's thread then does the Kafka and decoding work beside the fits instead of between them). Close the
   * learner to stop the thread.
   */
  public OnlineLearner withFitThread(String name, long seed) {
    this.fitThread = new FitThread(name, seed);
    return this;
  }

  /** Buffers one training record; a full mini-batch is fitted (on the fit thread, if there is one). {@code weight} 1 is unweighted. */
  public void learnOne(double[] x, int label, double weight, boolean isSynthetic) {
    endRest(); // a record ends a rest: the reservoir changes under its split, and the next rest judges afresh
    batch.add(new Pending(x, label, weight, !isSynthetic));
    trained++;
    trainedSinceSnapshot++;
    if (isSynthetic) {
      synthetic++;
    }
    if (batch.size() >= batchSize) {
      assemble();
      if (fitThread == null || assembled.size() >= HAND_OVER_BATCHES) {
        handOver();
      }
    }
  }

  /** Adds one eval record, read from {@code partition} at {@code offset}, to the sliding window the metrics and the gate use. */
  public void evalOne(double[] x, int label, int partition, long offset) {
    window.add(x, label, partition, offset);
  }

  /** As {@link #evalOne}, by the record's cleaned raw values: scored through each model's serving transform in {@link #judge(long, UnaryOperator, UnaryOperator)}. */
  public void evalRawOne(double[] raw, int label, int partition, long offset) {
    window.addRaw(raw, label, partition, offset);
  }

  /** Fits what is buffered, so the network covers every record learnt so far; first, the prequential test of its real records. */
  public void flush() {
    assemble();
    awaitFits();
  }

  /**
   * Fits every full mini-batch (a partial one stays buffered) and waits for the fit thread: after this the network and
   * the counts the fits keep are what fitting each mini-batch as it filled would have made them.
   */
  private void awaitFits() {
    handOver();
    if (fitThread != null) {
      fitThread.await();
    }
  }

  /** Hands the assembled mini-batches over to be fitted in order: to the fit thread, which may still be fitting them on return, or here. */
  private void handOver() {
    if (assembled.isEmpty()) {
      return;
    }
    List<Runnable> fits = List.copyOf(assembled);
    assembled.clear();
    assembledRecords = 0;
    if (fitThread == null) {
      fits.forEach(Runnable::run);
    } else {
      fitThread.handOver(() -> fits.forEach(Runnable::run));
    }
  }

  /** Turns the buffered records, if any, into a mini-batch's fit. */
  private void assemble() {
    if (batch.isEmpty()) {
      return;
    }
    double[][] x = batch.stream().map(Pending::x).toArray(double[][]::new);
    int[] y = batch.stream().mapToInt(Pending::label).toArray();
    boolean weighted = batch.stream().anyMatch(r -> r.weight() != 1.0);
    double[] w = weighted ? batch.stream().mapToDouble(Pending::weight).toArray() : null;
    boolean[] real = new boolean[batch.size()];
    for (int i = 0; i < real.length; i++) {
      real[i] = batch.get(i).real();
    }
    batch.clear();
    assembled.add(() -> fit(x, y, w, real));
    assembledRecords += y.length;
  }

  /** The prequential test of a mini-batch's real records, then its fit and the replayed ones. */
  private void fit(double[][] x, int[] y, double[] w, boolean[] real) {
    testBeforeTraining(x, y, real);
    // Timed with the replayed mini-batches: the gradient work one new mini-batch costs, what the benchmark's raw loop does too.
    long t0 = System.nanoTime();
    trainer.fit(x, y, w);
    double loss = trainer.network().score();
    if (Double.isFinite(loss)) {
      lossSum += loss;
      lossFits++;
    }
    long samples = y.length;
    if (replay != null) {
      samples += (long) batchSize * replay.replayThenAdd(trainer, replayBatches, batchSize, x, y, w, real);
    }
    countFitted(samples);
    fitNanos += System.nanoTime() - t0;
    fitSamples += y.length;
  }

  /**
   * Samples still to fit at rest: one pass over a stream learns a small data set poorly (each record is fitted once, plus
   * its share of the replayed mini-batches), where a batch learner makes many epochs. At rest, mini-batches drawn from the
   * replay reservoir make up the difference, up to {@code epochs} fits per record learnt since the reservoir was last empty,
   * for at most {@code maxRecords} records of the lineage: a large stream's replay has fitted that many already, so its
   * rest owes nothing.
   */
  public long restOwed() {
    awaitFits(); // what the fits in flight count is fitted, not owed
    if (rest.epochs() == 0 || replay == null || (replay.size() == 0 && batch.isEmpty() && assembled.isEmpty())) {
      return 0;
    }
    long records = Math.min(trained, rest.maxRecords()) - Math.min(trainedAtReset, rest.maxRecords());
    return Math.max(0, rest.epochs() * records - fittedSinceReset - restWaived - batch.size() - assembledRecords);
  }

  /**
   * Fits what is buffered, then at most {@code maxBatches} of the mini-batches {@link #restOwed} still asks for, drawn from the
   * replay reservoir. Returns the mini-batches fitted at rest. They are not counted in {@link #samplesPerSecond}, which
   * measures the fitting of what arrives.
   */
  public int restStep(int maxBatches) {
    if (maxBatches <= 0) {
      return 0;
    }
    flush();
    long owed = restOwed();
    if (owed == 0) {
      return 0;
    }
    if (session == null) {
      session = startRest();
    }
    // Judged at the same points whoever calls (the updater between polls, a retrain in one loop): the same range rests alike.
    int cap = session.judge != null ? Math.min(maxBatches, REST_SLICE_BATCHES) : maxBatches;
    int n = (int) Math.min(cap, (owed + batchSize - 1) / batchSize);
    int done = replay.replay(trainer, n, batchSize, session.fit);
    countFitted((long) done * batchSize);
    restBatchesSinceSnapshot += done;
    if (done == 0) {
      restWaived += owed; // nothing to draw from: nothing can be owed
      session = null;
      return 0;
    }
    if (session.judge != null) {
      double loss = heldOutLoss(session.judge);
      if (loss < session.best) {
        session.best = loss;
        session.bestParams = trainer.servedParams();
        session.sinceBest = 0;
      } else {
        session.sinceBest += done;
      }
      if (session.sinceBest >= session.patience && restOwed() > 0) {
        restWaived += restOwed();
        restStoppedSinceSnapshot++;
      }
    }
    if (restOwed() == 0) {
      endRest();
    }
    return done;
  }

  /** Ends the rest in progress, if any, at its best point: not where its last mini-batches left the network. */
  private void endRest() {
    if (session == null) {
      return;
    }
    awaitFits(); // none is in flight during a rest (restStep flushes first): this only keeps it so
    if (session.sinceBest > 0 && session.bestParams != null) {
      trainer.restore(session.bestParams);
    }
    session = null;
  }

  private RestSession startRest() {
    ReplayBuffer.Split split = replay.split(REST_JUDGE_EVERY);
    int epoch = Math.max(1, (split.fit().length + batchSize - 1) / batchSize);
    if (split.judge().length < 10 || split.fit().length == 0) {
      // Too few to judge by: the whole reservoir is fitted, for the epochs owed.
      int[] all = java.util.stream.IntStream.range(0, replay.size()).toArray();
      return new RestSession(all, null, Integer.MAX_VALUE);
    }
    RestSession s = new RestSession(split.fit(), replay.records(split.judge()), REST_PATIENCE_EPOCHS * epoch);
    s.best = heldOutLoss(s.judge);
    s.bestParams = trainer.servedParams();
    return s;
  }

  /**
   * Log loss of the served network on held-out records, weighted by the records' weights as training weighs them
   * (rebalance.mode=weight), probabilities clipped at 1e-15 as scikit-learn's.
   */
  private double heldOutLoss(ReplayBuffer.Batch held) {
    double[][] p = trainer.predict(held.x());
    double sum = 0;
    double weights = 0;
    for (int i = 0; i < p.length; i++) {
      double w = held.weights()[i];
      sum -= w * Math.log(Math.max(1e-15, p[i][held.y()[i]]));
      weights += w;
    }
    return weights > 0 ? sum / weights : 0;
  }

  /** Samples fitted count for the lineage and, since the reservoir was last empty, against what the rest owes. */
  private void countFitted(long samples) {
    fitted += samples;
    fittedSinceReset += samples;
  }

  /** Whether mini-batches were fitted at rest since the last snapshot. */
  public boolean restedSinceSnapshot() {
    return restBatchesSinceSnapshot > 0;
  }

  private void testBeforeTraining(double[][] x, int[] y, boolean[] real) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < real.length; i++) {
      if (real[i]) {
        rows.add(i);
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    double[][] probs = trainer.predict(rows.stream().map(i -> x[i]).toArray(double[][]::new));
    for (int k = 0; k < probs.length; k++) {
      prequential.update(y[rows.get(k)], probs[k]);
    }
  }

  /**
   * Fits what is buffered, scores the head and the serving network on the same eval window and asks
   * the gate. Changes nothing else: {@link #promote} follows only once the snapshot is committed.
   */
  public Judgement judge(long servingVersion) {
    return judge(servingVersion, UnaryOperator.identity(), UnaryOperator.identity());
  }

  /**
   * As {@link #judge(long)}, scoring raw eval records through the transform each model is served with:
   * the head with the statistics its snapshot will carry, the served version with its own.
   */
  public Judgement judge(long servingVersion, UnaryOperator<double[]> headTransform, UnaryOperator<double[]> servingTransform) {
    flush();
    Predictions candidate = predictions(trainer.served(), headTransform);
    Predictions current = predictions(serving, servingTransform);
    QualityGate.Decision decision = gate.decide(candidate, current, servingVersion);
    Map<String, Double> metrics = new TreeMap<>();
    if (candidate != null) {
      metrics.putAll(candidate.metrics().toMap(labelNames));
    }
    window.ranges().forEach((partition, range) -> {
      metrics.put("eval_offset_from." + partition, (double) range.from());
      metrics.put("eval_offset_to." + partition, (double) range.to());
    });
    metrics.putAll(prequential.toMap());
    if (current != null) {
      metrics.putAll(current.metrics().headline("current_"));
    }
    if (lossFits > 0) {
      metrics.put("train_loss", lossSum / lossFits); // replayed mini-batches left out: this is the loss on what arrived
    }
    metrics.put(FITTED_SAMPLES, (double) fitted);
    metrics.put(REST_BATCHES, (double) restBatchesSinceSnapshot);
    metrics.put(REST_OWED, (double) restOwed());
    metrics.put(REST_STOPPED, (double) restStoppedSinceSnapshot);
    if (decision.judged()) {
      metrics.put("gate_ci_low", decision.low());
      metrics.put("gate_ci_high", decision.high());
    }
    return new Judgement(decision, metrics);
  }

  private Predictions predictions(Network net, UnaryOperator<double[]> transform) {
    if (net == null || window.size() == 0) {
      return null;
    }
    double[][] probs = new Trainer(net).predict(window.features(transform));
    return Predictions.of(window.labels(), probs, labelNames.size());
  }

  /** The head (averaged, when averaging) becomes the served network (its snapshot was committed as promoted). */
  public void promote() {
    awaitFits();
    serving = trainer.served().copy();
  }

  /** Called once a snapshot of the head is committed: counting towards the next one starts again. */
  public void snapshotTaken() {
    awaitFits();
    trainedSinceSnapshot = 0;
    restBatchesSinceSnapshot = 0;
    restStoppedSinceSnapshot = 0;
    lossSum = 0;
    lossFits = 0;
  }

  /**
   * Continues from another version (a rollback): it becomes head and served, with its counts, and
   * what was buffered but not snapshotted is dropped, for it belongs to the abandoned lineage.
   */
  public void restart(Network network, Lineage lineage) {
    awaitFits(); // its counts are then the abandoned lineage's, and dropped with it
    if (replay != null) {
      replay.clear();
    }
    trainer.replace(network);
    serving = network.copy();
    continueFrom(lineage);
    batch.clear();
    assembled.clear();
    assembledRecords = 0;
    trainedSinceSnapshot = 0;
    restBatchesSinceSnapshot = 0;
    restStoppedSinceSnapshot = 0;
    lossSum = 0;
    lossFits = 0;
  }

  private void continueFrom(Lineage lineage) {
    trained = lineage.trained();
    synthetic = lineage.synthetic();
    Double known = lineage.metrics().get(FITTED_SAMPLES);
    fittedEstimated = known == null;
    fitted = known != null ? known.longValue() : trained * (1 + (long) replayBatches);
    trainedAtReset = trained; // the reservoir starts empty (a new learner, or restart() cleared it)
    fittedSinceReset = 0;
    restWaived = 0;
    session = null;
    prequential = Prequential.fromMap(lineage.metrics(), labelNames);
  }

  public Network network() {
    awaitFits();
    return trainer.network();
  }

  /** The network a snapshot of the head serves: the moving average of the parameters when averaging, else {@link #network()}. */
  public Network served() {
    awaitFits();
    return trainer.served();
  }

  public byte[] serialize() {
    awaitFits();
    return trainer.serialize();
  }

  public long trained() {
    return trained;
  }

  public long synthetic() {
    return synthetic;
  }

  public long trainedSinceSnapshot() {
    return trainedSinceSnapshot;
  }

  public int evalRecords() {
    return window.size();
  }

  public int evalCapacity() {
    return window.capacity();
  }

  public Prequential prequential() {
    awaitFits();
    return prequential;
  }

  /** Training throughput of the fits so far (new samples per second of fit time, replayed mini-batches included in the time); 0 before the first. */
  public double samplesPerSecond() {
    awaitFits();
    return fitNanos == 0 ? 0 : fitSamples / (fitNanos / 1e9);
  }

  /** Stops the fit thread, if any, once its fit in flight is done. */
  @Override
  public void close() {
    if (fitThread != null) {
      fitThread.close();
    }
  }
}
