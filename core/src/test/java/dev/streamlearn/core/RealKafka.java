package dev.streamlearn.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * One real KRaft broker per test JVM, started on free loopback ports through {@link LocalKafka}
 * (the same code path as 'streamlearn kafka start') and stopped when the JVM exits. Tests isolate
 * themselves with a unique topic prefix from {@link #config(String, Map)}.
 */
public final class RealKafka {

  private static LocalKafka broker;

  private RealKafka() {}

  public static synchronized String bootstrap() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("streamlearn-kafka-");
        broker = new LocalKafka(dir, freePort(), freePort(), "768m", LocalKafka.currentClasspath());
        broker.start();
        LocalKafka b = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            b.stop();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return broker.bootstrap();
  }

  /** A config pointing at the test broker, with a topic prefix unique to {@code testName}. */
  public static StreamlearnConfig config(String testName, Map<String, String> overrides) {
    Map<String, String> m = new TreeMap<>();
    m.put(StreamlearnConfig.BOOTSTRAP, bootstrap());
    m.put(StreamlearnConfig.TOPIC_PREFIX, testName + "-" + System.nanoTime() + "."); // also isolates the Streams application id
    m.putAll(overrides);
    return StreamlearnConfig.of(m);
  }

  /**
   * A port p such that p .. p + count - 1 were all free a moment ago: for a local cluster, whose
   * node i listens on p + 2(i-1) and p + 1 + 2(i-1). Chosen below Linux's ephemeral range (32768 on):
   * between this check and a broker's bind, any outgoing connection on the machine may take an
   * ephemeral port as its local address (seen: a node of a three-broker test exiting at start on a
   * busy machine), while ports below that range are only ever taken by a program that binds them.
   */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public static int freePortBlock(int count) throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + random.nextInt(12_000 - count);
      boolean free = true;
      for (int p = base; p < base + count && free; p++) {
        if (HANDED_OUT.contains(p)) {
          free = false; // two calls before either port is bound must not get the same one
          break;
        }
        try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        for (int p = base; p < base + count; p++) {
          HANDED_OUT.add(p);
        }
        return base;
      }
    }
    throw new IOException("no block of " + count + " free ports found");
  }

  /** A port free a moment ago, below the ephemeral range for the reason {@link #freePortBlock} gives. */
  public static int freePort() throws IOException {
    return freePortBlock(1);
  }
}
