package dev.streamlearn.core.metrics;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a Prometheus registry as {@code GET /metrics} in the Prometheus text format, on the JDK's
 * own HTTP server (no HTTP parsing of ours) and the Prometheus Java client's writer (no exposition
 * format of ours). The streams app and the updater start one when {@code metrics.port} is set;
 * {@code streamlearn serve} mounts {@link #handler} next to its own endpoints.
 */
public final class MetricsEndpoint implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Listens on every interface at {@code port} (0: a free port, see {@link #port()}). */
  public static MetricsEndpoint start(int port, PrometheusRegistry registry) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/metrics", handler(registry));
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "streamlearn-metrics");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor); // scrapes are rare and cheap: one thread
    server.start();
    return new MetricsEndpoint(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** GET (or HEAD) answers the registry's current values; other methods get 405. */
  public static HttpHandler handler(PrometheusRegistry registry) {
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writer.write(body, registry.scrape());
        exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
        if (method.equals("HEAD")) {
          exchange.sendResponseHeaders(200, -1);
          return;
        }
        exchange.sendResponseHeaders(200, body.size());
        try (OutputStream out = exchange.getResponseBody()) {
          body.writeTo(out);
        }
      }
    };
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
