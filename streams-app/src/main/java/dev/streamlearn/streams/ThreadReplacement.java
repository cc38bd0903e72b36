package dev.streamlearn.streams;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when a stream thread dies. A broker killed in the middle of a transaction can fail the
 * thread's commit with an error Kafka Streams treats as fatal ({@code InvalidTxnStateException} was
 * seen on the three-broker cluster); a fresh thread resumes from the last committed transaction, so
 * replacing it loses and duplicates nothing under exactly-once. A bug fails again on the same
 * record: after {@code maxReplacements} deaths within {@code windowMs} the client shuts down (the
 * process exits non-zero) instead of replacing threads in a loop.
 */
public final class ThreadReplacement implements StreamsUncaughtExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacement.class);

  private final int maxReplacements;
  private final long windowMs;
  private final LongSupplier clock;
  private final Deque<Long> recent = new ArrayDeque<>();

  public ThreadReplacement(int maxReplacements, long windowMs, LongSupplier clock) {
    this.maxReplacements = maxReplacements;
    this.windowMs = windowMs;
    this.clock = clock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable e) {
    long now = clock.getAsLong();
    while (!recent.isEmpty() && now - recent.peekFirst() >= windowMs) {
      recent.removeFirst();
    }
    if (recent.size() >= maxReplacements) {
      LOG.error("a stream thread died for the {}th time within {} s: shutting down", recent.size() + 1, windowMs / 1000, e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recent.addLast(now);
    LOG.warn("a stream thread died ({}); replacing it ({} of at most {} within {} s)", e, recent.size(), maxReplacements, windowMs / 1000);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
