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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's page, on the JDK's own HTTP server: {@code GET /} is one HTML page (with its script and
 * style beside it, all from the jar: no CDN, the page works offline) that polls {@code GET /api/state}
 * and redraws itself. The state comes from a {@link Callable} (see {@link DashboardState}), called on a
 * thread of its own and at most once per {@code minInterval}, so several open pages do not multiply the
 * topic reads, and a broker that went away holds up no request: while a new reading runs the last good one
 * is served (marked {@code stale}, with its {@code age_ms}); a failed reading is answered as a 503 with its
 * reason until the interval has passed; static files never wait on the state.
 */
public final class DashboardServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The static files: path to resource name and content type. */
  private static final Map<String, String[]> FILES = Map.of(
      "/", new String[] {"index.html", "text/html; charset=utf-8"},
      "/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"},
      "/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"});
  /** How long a request waits for the very first reading (there is nothing older to serve); later ones never wait. */
  static final Duration FIRST_READING_WAIT = Duration.ofSeconds(20);
  /** Host header values (without the port) answered when bound to loopback: anything else is a DNS-rebinding page. */
  private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

  private final Callable<ObjectNode> source;
  private final long minIntervalNanos;
  private final int refreshSeconds;
  private final boolean loopbackHostsOnly;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ExecutorService reader;
  // Guarded by this; held only to look at or swap these fields, never across a reading or a response.
  private ObjectNode good;
  private long goodAt;
  private String failure;
  private long failureAt;
  private long lastFinished;
  private boolean everFinished;
  private CompletableFuture<Void> reading;

  private DashboardServer(Callable<ObjectNode> source, InetSocketAddress address, Duration minInterval, int refreshSeconds,
      boolean loopbackHostsOnly) throws IOException {
    this.source = source;
    this.minIntervalNanos = minInterval.toNanos();
    this.refreshSeconds = refreshSeconds;
    this.loopbackHostsOnly = loopbackHostsOnly;
    this.server = HttpServer.create(address, 0);
    // Enough threads that requests waiting on the first reading leave some for the static files.
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "streamlearn-dashboard-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "streamlearn-dashboard-reader");
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

  /** As {@link #start(Callable, InetSocketAddress, Duration, int, boolean)}, answering loopback Host headers only. */
  public static DashboardServer start(Callable<ObjectNode> source, InetSocketAddress address, Duration minInterval, int refreshSeconds)
      throws IOException {
    return start(source, address, minInterval, refreshSeconds, true);
  }

  /**
   * Starts serving at {@code address} (port 0: a free one).
   *
   * @param minInterval the state is read at most this often; requests in between get the last one read
   * @param refreshSeconds how often the page polls for the state
   * @param loopbackHostsOnly answer only requests whose Host header names a loopback address (403 otherwise)
   */
  public static DashboardServer start(Callable<ObjectNode> source, InetSocketAddress address, Duration minInterval, int refreshSeconds,
      boolean loopbackHostsOnly) throws IOException {
    DashboardServer s = new DashboardServer(source, address, minInterval, refreshSeconds, loopbackHostsOnly);
    s.server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (loopbackHostsOnly && !loopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
      error(exchange, 403, "this dashboard answers requests for 127.0.0.1 or localhost only (start it with --host to serve other names)");
    } else if (!exchange.getRequestMethod().equals("GET")) {
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

  /** True for "127.0.0.1", "localhost", "[::1]", with or without a port. */
  static boolean loopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    int colon = h.lastIndexOf(':');
    if (colon > h.lastIndexOf(']') && h.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      h = h.substring(0, colon);
    }
    return LOOPBACK_HOSTS.contains(h);
  }

  private void state(HttpExchange exchange) throws IOException {
    CompletableFuture<Void> first;
    synchronized (this) {
      startReadingIfDue();
      first = everFinished ? null : reading;
    }
    if (first != null) {
      try {
        first.get(FIRST_READING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        error(exchange, 503, "the first reading of the pipeline's state is still running");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        // recorded as the failure below
      }
    }
    ObjectNode out;
    String failed;
    synchronized (this) {
      failed = failure != null && (good == null || failureAt > goodAt) ? failure : null;
      if (failed != null) {
        out = null;
      } else {
        out = good.deepCopy();
        long now = System.nanoTime();
        out.put("stale", reading != null || now - goodAt >= minIntervalNanos);
        out.put("age_ms", TimeUnit.NANOSECONDS.toMillis(now - goodAt));
      }
    }
    if (out == null) {
      error(exchange, 503, "the pipeline's state cannot be read: " + failed);
    } else {
      respond(exchange, 200, "application/json", JSON.writeValueAsBytes(out));
    }
  }

  /**
   * Starts a reading on the reader thread unless one runs or the last one (good or failed) finished less than the
   * interval ago: a failed reading is kept for the interval too, so an outage does not start one reading per request.
   */
  private void startReadingIfDue() {
    if (reading != null || (everFinished && System.nanoTime() - lastFinished < minIntervalNanos)) {
      return;
    }
    reading = CompletableFuture.runAsync(() -> {
      ObjectNode s = null;
      String why = null;
      try {
        s = source.call();
        s.put("refresh_seconds", refreshSeconds);
      } catch (Throwable e) { // whatever it is, the reading must end: an unfinished one would block every later one
        log.warn("dashboard state not available: {}", e.toString());
        why = e.getMessage() == null ? e.toString() : e.getMessage();
      }
      synchronized (this) {
        long now = System.nanoTime();
        if (s != null) {
          good = s;
          goodAt = now;
          failure = null;
        } else {
          failure = why;
          failureAt = now;
        }
        lastFinished = now;
        everFinished = true;
        reading = null;
      }
    }, reader);
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
    exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
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
    reader.shutdownNow();
  }
}
