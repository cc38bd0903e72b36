package dev.streamlearn.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTTP side without a pipeline: its files, its JSON, one reading per interval, what a failed or hanging
 * reading answers, and the Host check.
 */
class DashboardServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesThePageItsFilesAndTheStateReadAtMostOncePerInterval() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    try (DashboardServer server = DashboardServer.start(() -> {
      ObjectNode o = JSON.createObjectNode();
      o.put("reading", reads.incrementAndGet());
      return o;
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(1), 7)) {
      HttpResponse<String> page = get(server, "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      assertThat(page.body()).contains("<svg id=\"version-chart\"", "<table id=\"version-list\">", "src=\"/dashboard.js\"").doesNotContain("http://", "https://");
      assertThat(get(server, "/dashboard.js").body()).contains("fetch('/api/state'");
      assertThat(get(server, "/dashboard.css").statusCode()).isEqualTo(200);

      HttpResponse<String> state = get(server, "/api/state");
      assertThat(state.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(state.body()).get("refresh_seconds").asInt()).isEqualTo(7);
      assertThat(JSON.readTree(get(server, "/api/state").body()).get("reading").asInt()).as("within the interval: the same reading").isEqualTo(1);
      assertThat(reads).hasValue(1);

      assertThat(get(server, "/nothing").statusCode()).isEqualTo(404);
      assertThat(http.send(HttpRequest.newBuilder(uri(server, "/api/state")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aStateThatCannotBeReadIsA503NamingWhyAndTheNextReadingTriesAgain() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    try (DashboardServer server = DashboardServer.start(() -> {
      if (down.get()) {
        throw new IllegalStateException("no broker at 127.0.0.1:1");
      }
      return JSON.createObjectNode();
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ZERO, 5)) {
      HttpResponse<String> r = get(server, "/api/state");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(r.body()).get("error").asText()).contains("no broker at 127.0.0.1:1");
      down.set(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> get(server, "/api/state").statusCode() == 200);
    }
  }

  @Test
  void aFailedReadingIsKeptForTheIntervalRatherThanStartingOnePerRequest() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    try (DashboardServer server = DashboardServer.start(() -> {
      reads.incrementAndGet();
      throw new IllegalStateException("no broker at 127.0.0.1:1");
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(1), 5)) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = get(server, "/api/state");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("no broker at 127.0.0.1:1");
      }
      assertThat(reads).hasValue(1);
    }
  }

  @Test
  void whileAReadingHangsTheLastGoodStateIsServedMarkedStaleAndTheFilesStillAnswer() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    try (DashboardServer server = DashboardServer.start(() -> {
      int n = reads.incrementAndGet();
      if (n == 2) {
        secondStarted.countDown();
        release.await(); // a broker that went away: the reading hangs
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("reading", n);
      return o;
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ZERO, 5)) {
      JsonNode first = JSON.readTree(get(server, "/api/state").body());
      assertThat(first.get("reading").asInt()).isEqualTo(1);

      JsonNode during = JSON.readTree(get(server, "/api/state").body()); // starts the hanging second reading
      assertThat(secondStarted.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 3; i++) {
        during = JSON.readTree(get(server, "/api/state").body());
        assertThat(during.get("reading").asInt()).as("the last good state").isEqualTo(1);
        assertThat(during.get("stale").asBoolean()).isTrue();
        assertThat(during.get("age_ms").asLong()).isNotNegative();
        assertThat(get(server, "/").statusCode()).isEqualTo(200);
        assertThat(get(server, "/dashboard.js").statusCode()).isEqualTo(200);
      }
      assertThat(reads).as("one reading at a time").hasValue(2);
      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(get(server, "/api/state").body()).get("reading").asInt() >= 2);
    }
  }

  @Test
  void theFilesAnswerWhileTheFirstReadingHangs() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    try (DashboardServer server = DashboardServer.start(() -> {
      started.countDown();
      release.await();
      return JSON.createObjectNode();
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ZERO, 5)) {
      CompletableFuture<HttpResponse<String>> state = http.sendAsync(HttpRequest.newBuilder(uri(server, "/api/state")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(get(server, "/").statusCode()).isEqualTo(200);
      assertThat(get(server, "/dashboard.css").statusCode()).isEqualTo(200);
      assertThat(state).isNotDone();
      release.countDown();
      assertThat(state.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void onlyLoopbackHostHeadersAreAnsweredUnlessAskedOtherwise() throws Exception {
    try (DashboardServer server = DashboardServer.start(JSON::createObjectNode, new InetSocketAddress("127.0.0.1", 0), Duration.ZERO, 5)) {
      assertThat(statusWithHost(server, "127.0.0.1:" + server.port())).isEqualTo(200);
      assertThat(statusWithHost(server, "localhost:" + server.port())).isEqualTo(200);
      assertThat(statusWithHost(server, "attacker.example:" + server.port())).as("a DNS-rebinding page").isEqualTo(403);
      assertThat(statusWithHost(server, "127.0.0.1.attacker.example")).isEqualTo(403);
    }
    try (DashboardServer server = DashboardServer.start(JSON::createObjectNode, new InetSocketAddress("127.0.0.1", 0), Duration.ZERO, 5, false)) {
      assertThat(statusWithHost(server, "dashboard.example:" + server.port())).isEqualTo(200);
    }
    assertThat(DashboardServer.loopbackHost("[::1]:8090")).isTrue();
    assertThat(DashboardServer.loopbackHost("LOCALHOST")).isTrue();
    assertThat(DashboardServer.loopbackHost("[::1]x")).isFalse();
    assertThat(DashboardServer.loopbackHost(null)).isFalse();
  }

  /** The status code of GET / sent with this Host header (HttpClient will not set one). */
  private static int statusWithHost(DashboardServer server, String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  private HttpResponse<String> get(DashboardServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(DashboardServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
