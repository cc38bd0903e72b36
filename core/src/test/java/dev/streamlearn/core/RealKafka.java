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
   * node i listens on p + 2(i-1) and p + 1 + 2(i-1).
   */
  public static int freePortBlock(int count) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = freePort();
      if (base + count - 1 > 65535) {
        continue;
      }
      boolean free = true;
      for (int p = base + 1; p < base + count && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no block of " + count + " free ports found");
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
