package dev.streamlearn.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.TestModels;
import dev.streamlearn.core.RealKafka;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** streamlearn serve's HTTP server against a real broker, spoken to by a real HTTP client (and a raw socket for oversize bodies). */
class PredictionServerIntegrationTest {

  private static final long MAX_BODY = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENT = "{\"id\":\"e1\",\"label\":\"fraud\",\"features\":{\"amount\":0.7,\"hour\":-1.3}}";

  private static TestModels models;
  private static CurrentModel model;
  private static PredictionServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    models = new TestModels(RealKafka.config("serve", Map.of("snapshot.signing.key", TestModels.KEY)), "m");
    models.snapshot(1);
    models.snapshot(2);
    models.point(1, "first");
    model = new CurrentModel(models.clients(), "m").follow();
    model.awaitVersion(Duration.ofSeconds(30));
    server = PredictionServer.start(model, new InetSocketAddress("127.0.0.1", 0), MAX_BODY, 4);
  }

  @AfterAll
  static void stop() {
    server.close();
    model.close();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri("/predict")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  @Test
  void oneEventGetsProbabilitiesLabelAndVersion() throws Exception {
    HttpResponse<String> r = post(EVENT);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode o = JSON.readTree(r.body());
    assertThat(o.get("id").asText()).isEqualTo("e1");
    assertThat(o.get("version").asLong()).isEqualTo(model.version());
    double fraud = o.get("probabilities").get("fraud").asDouble();
    double legit = o.get("probabilities").get("legit").asDouble();
    assertThat(fraud + legit).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(o.get("label").asText()).isEqualTo(fraud > legit ? "fraud" : "legit");
    // The same answer as the library gives.
    assertThat(fraud).isCloseTo(model.predict(Map.of("amount", 0.7, "hour", -1.3)).get("fraud"), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void anArrayGetsAnArrayInOrder() throws Exception {
    HttpResponse<String> r = post("[" + EVENT + ",{\"id\":\"e2\",\"amount\":5,\"hour\":2}]");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode a = JSON.readTree(r.body());
    assertThat(a.isArray()).isTrue();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).get("id").asText()).isEqualTo("e1");
    assertThat(a.get(1).get("id").asText()).isEqualTo("e2");
    assertThat(a.get(1).get("probabilities").size()).isEqualTo(2);
  }

  @Test
  void malformedBodiesAre400WithAJsonError() throws Exception {
    for (String body : new String[] {"", "{", "not json", "42", "\"text\"", "[]", "[1, 2]", "{\"a\":" + "[".repeat(500) + "}",
        "{\"id\":\"x\",\"features\":{\"amount\":1}}", "{\"id\":\"x\",\"features\":{\"amount\":1,\"hour\":2,\"extra\":3}}",
        "{\"id\":\"x\",\"features\":{\"amount\":\"NaN\",\"hour\":2}}", "{\"id\":\"x\",\"amount\":\"lots\",\"hour\":2}",
        "{\"id\":\"x\",\"features\":{\"amount\":1e300,\"hour\":2}}"}) {
      HttpResponse<String> r = post(body);
      assertThat(r.statusCode()).as((body.length() > 60 ? body.substring(0, 60) : body) + " -> " + r.body()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
    }
    // The training policy's own words, as 'streamlearn predict' says them.
    assertThat(JSON.readTree(post("{\"id\":\"x\",\"features\":{\"amount\":1}}").body()).get("error").asText()).contains("missing feature 'hour'");
    assertThat(JSON.readTree(post("{\"id\":\"x\",\"features\":{\"amount\":1,\"hour\":2,\"extra\":3}}").body()).get("error").asText())
        .contains("unknown feature 'extra'");
    assertThat(JSON.readTree(post("{\"id\":\"x\",\"amount\":\"lots\",\"hour\":2}").body()).get("error").asText())
        .contains("feature 'amount' is not a number");
  }

  @Test
  void anArrayWithABadEventNamesItAndScoresNone() throws Exception {
    HttpResponse<String> r = post("[" + EVENT + ",{\"id\":\"bad\",\"features\":{\"amount\":1}}, 7]");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode o = JSON.readTree(r.body());
    assertThat(o.get("error").asText()).isEqualTo("2 of 3 events cannot be scored; none was");
    assertThat(o.get("errors").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(o.get("errors").get(0).get("id").asText()).isEqualTo("bad");
    assertThat(o.get("errors").get(1).get("index").asInt()).isEqualTo(2);
    assertThat(o.get("errors").get(1).get("error").asText()).startsWith("not a record");
  }

  @Test
  void wrongMethodsAndPathsAreJsonErrors() throws Exception {
    assertThat(get("/predict").statusCode()).isEqualTo(405);
    assertThat(get("/predict/x").statusCode()).isEqualTo(404);
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(get("/nothing").body()).get("error").asText()).contains("POST /predict");
  }

  @Test
  void aBodyOverTheLimitIs413WithoutReadingIt() throws Exception {
    // Declared length over the limit: refused from the headers, while the client has sent 1 KB of 100 MB.
    String head = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n";
    String answer = raw(head.getBytes(StandardCharsets.US_ASCII), new byte[1024]);
    assertThat(answer).startsWith("HTTP/1.1 413").contains("larger than " + MAX_BODY + " bytes");
    // Chunked, no declared length: refused once the limit is passed.
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    chunked.write("POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] chunk = new byte[8192];
    Arrays.fill(chunk, (byte) ' ');
    for (long sent = 0; sent <= MAX_BODY + 8192; sent += chunk.length) {
      chunked.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      chunked.write(chunk);
      chunked.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    chunked.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(raw(chunked.toByteArray(), new byte[0])).startsWith("HTTP/1.1 413");
    // A body just within the limit is read and judged on its content.
    String padded = EVENT + " ".repeat((int) MAX_BODY - EVENT.length());
    assertThat(post(padded).statusCode()).isEqualTo(200);
    // The server still serves.
    assertThat(post(EVENT).statusCode()).isEqualTo(200);
  }

  private static String raw(byte[] request, byte[] more) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.write(more);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      for (int n; answer.size() < 200_000 && (n = in.read(buf)) > 0; ) {
        answer.write(buf, 0, n);
        if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
          break; // the JSON error body is complete
        }
      }
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void healthAndMetrics() throws Exception {
    post(EVENT);
    post("{");
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode h = JSON.readTree(health.body());
    assertThat(h.get("status").asText()).isEqualTo("up");
    assertThat(h.get("version").asLong()).isEqualTo(model.version());
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    String text = metrics.body();
    assertThat(text).contains("# TYPE streamlearn_serve_requests_total counter")
        .containsPattern("streamlearn_serve_requests_total\\{code=\"200\",endpoint=\"/predict\"} [1-9]")
        .containsPattern("streamlearn_serve_requests_total\\{code=\"400\",endpoint=\"/predict\"} [1-9]")
        .contains("# TYPE streamlearn_serve_predict_duration_seconds histogram")
        .containsPattern("streamlearn_serve_predict_duration_seconds_bucket\\{le=\"\\+Inf\"} [1-9]")
        .contains("streamlearn_serve_model_version{model=\"m\"} " + model.version() + ".0")
        .contains("streamlearn_serve_model_load_failures_total{model=\"m\"} 0.0");
  }

  @Test
  void aRollbackChangesTheAnsweringVersionWithinASecond() throws Exception {
    models.point(2, "promoted");
    await().atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(post(EVENT).body()).get("version").asLong() == 2);
    long wrote = System.nanoTime();
    models.point(1, "rollback to v1");
    long afterWrite = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(() -> JSON.readTree(post(EVENT).body()).get("version").asLong() == 1);
    long ms = (System.nanoTime() - afterWrite) / 1_000_000;
    System.out.printf("serve: rollback pointer acknowledged in %d ms, first answer by v1 %d ms later%n", (afterWrite - wrote) / 1_000_000, ms);
    assertThat(ms).isLessThan(1_000);
  }

  @Test
  void latencyAtAFixedRate() throws Exception {
    // 500 requests at 100/s, one at a time: the figure the README quotes comes from this output.
    long[] nanos = new long[500];
    long next = System.nanoTime();
    for (int i = 0; i < nanos.length; i++) {
      while (System.nanoTime() < next) {
        Thread.onSpinWait();
      }
      long t = System.nanoTime();
      assertThat(post(EVENT).statusCode()).isEqualTo(200);
      nanos[i] = System.nanoTime() - t;
      next += 10_000_000;
    }
    Arrays.sort(nanos);
    System.out.printf("serve: POST /predict, one event, 100 req/s, %d requests: p50 %.2f ms, p99 %.2f ms%n", nanos.length,
        nanos[nanos.length / 2] / 1e6, nanos[nanos.length * 99 / 100] / 1e6);
    assertThat(nanos[nanos.length / 2]).isLessThan(Duration.ofMillis(100).toNanos());
  }
}
