package dev.streamlearn.cli.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's page, on the JDK's own HTTP server: {@code GET /} is one HTML page (with its script and
 * style beside it, all from the jar: no CDN, the page works offline) that polls {@code GET /api/state}
 * and redraws itself. The state comes from a {@link Callable} (see {@link DashboardState}); it is read
 * at most once per {@code minInterval}, so several open pages do not multiply the topic reads.
 */
public final class DashboardServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The static files: path to resource name and content type. */
  private static final Map<String, String[]> FILES = Map.of(
      "/", new String[] {"index.html", "text/html; charset=utf-8"},
      "/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"},
      "/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"});

  private final Callable<ObjectNode> source;
  private final long minIntervalNanos;
  private final int refreshSeconds;
  private final HttpServer server;
  private final ExecutorService executor;
  private ObjectNode cached;
  private long cachedAt;

  private DashboardServer(Callable<ObjectNode> source, InetSocketAddress address, Duration minInterval, int refreshSeconds) throws IOException {
    this.source = source;
    this.minIntervalNanos = minInterval.toNanos();
    this.refreshSeconds = refreshSeconds;
    this.server = HttpServer.create(address, 0);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "streamlearn-dashboard-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.createContext("/", exchange -> {
      try (exchange) {
        handle(exchange);
      } catch (RuntimeException e) {
        log.error("dashboard request {} failed", exchange.getRequestURI(), e);
      }
    });
    server.setExecutor(executor);
  }

  /**
   * Starts serving at {@code address} (port 0: a free one).
   *
   * @param minInterval the state is read at most this often; requests in between get the last one read
   * @param refreshSeconds how often the page polls for the state
   */
  public static DashboardServer start(Callable<ObjectNode> source, InetSocketAddress address, Duration minInterval, int refreshSeconds)
      throws IOException {
    DashboardServer s = new DashboardServer(source, address, minInterval, refreshSeconds);
    s.server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      error(exchange, 405, "GET only");
    } else if (path.equals("/api/state")) {
      state(exchange);
    } else if (FILES.containsKey(path)) {
      String[] file = FILES.get(path);
      respond(exchange, 200, file[1], resource(file[0]));
    } else {
      error(exchange, 404, "no such page: GET / (the dashboard) or GET /api/state (its JSON)");
    }
  }

  private void state(HttpExchange exchange) throws IOException {
    ObjectNode state;
    try {
      state = current();
    } catch (Exception e) {
      log.warn("dashboard state not available: {}", e.toString());
      error(exchange, 503, "the pipeline's state cannot be read: " + e.getMessage());
      return;
    }
    respond(exchange, 200, "application/json", JSON.writeValueAsBytes(state));
  }

  /** The last state read, or a new one when it is older than the interval (one reader at a time). */
  private synchronized ObjectNode current() throws Exception {
    if (cached == null || System.nanoTime() - cachedAt >= minIntervalNanos) {
      ObjectNode s = source.call();
      s.put("refresh_seconds", refreshSeconds);
      cached = s;
      cachedAt = System.nanoTime();
    }
    return cached;
  }

  private static byte[] resource(String name) {
    try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void error(HttpExchange exchange, int code, String message) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", message);
    respond(exchange, code, "application/json", JSON.writeValueAsBytes(o));
  }

  private static void respond(HttpExchange exchange, int code, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    // Everything the page needs comes from this server; hold reasons and labels are shown as text, never as markup.
    exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
