package dev.streamlearn.streams;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.junit.jupiter.api.Test;

class ThreadReplacementTest {

  private long now;

  @Test
  void replacesThreadsUntilTheyDieTooOftenThenShutsDown() {
    ThreadReplacement policy = new ThreadReplacement(3, 60_000, () -> now);
    RuntimeException fault = new InvalidTxnStateException("broker killed mid-transaction");
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    now += 10_000;
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    now += 10_000;
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    now += 10_000;
    assertThat(policy.handle(fault)).as("a fourth death within a minute: a bug, not a fault").isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void deathsOlderThanTheWindowAreForgotten() {
    ThreadReplacement policy = new ThreadReplacement(2, 60_000, () -> now);
    RuntimeException fault = new IllegalStateException("x");
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    now += 60_000;
    assertThat(policy.handle(fault)).as("both earlier deaths are a minute old").isEqualTo(REPLACE_THREAD);
    assertThat(policy.handle(fault)).isEqualTo(REPLACE_THREAD);
    assertThat(policy.handle(fault)).isEqualTo(SHUTDOWN_CLIENT);
  }
}
