package dev.streamlearn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.Prediction;
import dev.streamlearn.core.metrics.MetricsEndpoint;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEventParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a {@link CurrentModel}, on the JDK's own HTTP server: {@code POST /predict} (one
 * JSON event or an array of them, in the records.raw format) answers probabilities, label and the
 * version that answered; {@code GET /health}; {@code GET /metrics} (Prometheus text). Bad input is a
 * JSON error with 400, the same training-policy errors as {@code streamlearn predict}; a body over the
 * limit is refused with 413 before more than the limit is read; no model yet is 503.
 */
public final class PredictionServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PredictionServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK server writes a response's headers and body apart; with Nagle's algorithm on, the body then waits for the
    // client's delayed ACK (40 ms on Linux). Read once, when the JDK's server first starts in this JVM.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final CurrentModel model;
  private final EventScorer scorer;
  private final ServeMetrics metrics;
  private final long maxBodyBytes;
  private final HttpServer server;
  private final ExecutorService executor;

  private PredictionServer(CurrentModel model, InetSocketAddress address, long maxBodyBytes, int threads) throws IOException {
    this.model = model;
    this.scorer = new EventScorer(model);
    this.metrics = new ServeMetrics(model);
    this.maxBodyBytes = maxBodyBytes;
    this.server = HttpServer.create(address, 0);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "streamlearn-serve-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpHandler scrape = MetricsEndpoint.handler(metrics.registry);
    server.createContext("/predict", counted("/predict", this::predict));
    server.createContext("/health", counted("/health", this::health));
    server.createContext("/metrics", exchange -> {
      if (exact(exchange, "/metrics")) {
        metrics.request("/metrics", exchange.getRequestMethod().equals("GET") ? 200 : 405);
        scrape.handle(exchange);
      } else {
        counted("other", ex -> error(ex, 404, "no such endpoint: POST /predict, GET /health, GET /metrics")).handle(exchange);
      }
    });
    server.createContext("/", counted("other", exchange -> error(exchange, 404, "no such endpoint: POST /predict, GET /health, GET /metrics")));
    server.setExecutor(executor);
  }

  /** Starts serving {@code model} (which should follow model.current) at {@code address}; port 0 takes a free one. */
  public static PredictionServer start(CurrentModel model, InetSocketAddress address, long maxBodyBytes, int threads) throws IOException {
    PredictionServer s = new PredictionServer(model, address, maxBodyBytes, threads);
    s.server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private interface Endpoint {
    int handle(HttpExchange exchange) throws IOException;
  }

  /** Counts each request by endpoint and status; an unexpected failure is a JSON 500, logged. */
  private HttpHandler counted(String name, Endpoint endpoint) {
    return exchange -> {
      try (exchange) {
        int code;
        if (!name.equals("other") && !exact(exchange, name)) {
          code = error(exchange, 404, "no such endpoint: POST /predict, GET /health, GET /metrics");
        } else {
          try {
            code = endpoint.handle(exchange);
          } catch (RuntimeException e) {
            log.error("{} failed", name, e);
            code = error(exchange, 500, "internal error: " + e);
          }
        }
        metrics.request(name, code);
      }
    };
  }

  private static boolean exact(HttpExchange exchange, String path) {
    return exchange.getRequestURI().getPath().equals(path);
  }

  private int predict(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        return error(exchange, 405, "POST one JSON event or a JSON array of events");
      }
      byte[] body = readBody(exchange);
      if (body == null) {
        exchange.getResponseHeaders().set("Connection", "close"); // the rest of the body is not read
        return error(exchange, 413, "request body larger than " + maxBodyBytes + " bytes (serve --max-body-bytes)");
      }
      JsonNode doc;
      try {
        doc = RawEventParser.readTree(body);
      } catch (MalformedRecordException e) {
        return error(exchange, 400, "not JSON: " + e.getMessage());
      }
      List<JsonNode> items = new ArrayList<>();
      if (doc != null && doc.isArray()) {
        doc.forEach(items::add);
        if (items.isEmpty()) {
          return error(exchange, 400, "an empty array: nothing to score");
        }
      } else if (doc != null && doc.isObject()) {
        items.add(doc);
      } else {
        return error(exchange, 400, "expected one JSON event (an object) or a JSON array of events");
      }
      return answer(exchange, doc.isArray(), items);
    } finally {
      metrics.predictLatency(System.nanoTime() - start);
    }
  }

  private int answer(HttpExchange exchange, boolean array, List<JsonNode> items) throws IOException {
    List<byte[]> events = new ArrayList<>(items.size());
    items.forEach(i -> events.add(RawEventParser.writeTree(i)));
    List<EventScorer.Scored> answers;
    try {
      answers = scorer.score(events);
    } catch (CurrentModel.NoModelException e) {
      return error(exchange, 503, e.getMessage());
    }
    ArrayNode errors = JSON.createArrayNode();
    for (int i = 0; i < answers.size(); i++) {
      EventScorer.Scored a = answers.get(i);
      if (a.error() != null) {
        ObjectNode e = errors.addObject();
        if (array) {
          e.put("index", i);
        }
        e.put("id", a.id());
        e.put("error", a.error());
      }
    }
    metrics.events(answers.size() - errors.size(), errors.size());
    if (!errors.isEmpty()) {
      if (!array) {
        return respond(exchange, 400, errors.get(0));
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("error", errors.size() + " of " + answers.size() + " events cannot be scored; none was");
      o.set("errors", errors);
      return respond(exchange, 400, o);
    }
    if (!array) {
      return respond(exchange, 200, toJson(answers.get(0)));
    }
    ArrayNode out = JSON.createArrayNode();
    answers.forEach(a -> out.add(toJson(a)));
    return respond(exchange, 200, out);
  }

  private static ObjectNode toJson(EventScorer.Scored a) {
    Prediction p = a.prediction();
    ObjectNode o = JSON.createObjectNode();
    o.put("id", a.id());
    o.put("label", p.label());
    ObjectNode probs = o.putObject("probabilities");
    p.probabilities().forEach(probs::put);
    o.put("version", p.version());
    return o;
  }

  private int health(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      return error(exchange, 405, "GET only");
    }
    long version = model.version();
    ObjectNode o = JSON.createObjectNode();
    o.put("status", version < 0 ? "no model" : "up");
    o.put("model", model.model());
    o.put("version", version);
    o.put("loadFailures", model.loadFailures());
    return respond(exchange, version < 0 ? 503 : 200, o);
  }

  /** The request body, or null if it is longer than the limit (then at most limit + 1 bytes were read). */
  private byte[] readBody(HttpExchange exchange) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBodyBytes) {
          return null;
        }
      } catch (NumberFormatException e) {
        // the server itself refuses a malformed length before we get here
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      return b.length > maxBodyBytes ? null : b;
    }
  }

  private static int error(HttpExchange exchange, int code, String message) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", message);
    return respond(exchange, code, o);
  }

  private static int respond(HttpExchange exchange, int code, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    return code;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
