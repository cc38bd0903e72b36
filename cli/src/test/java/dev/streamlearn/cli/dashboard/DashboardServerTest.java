package dev.streamlearn.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP side without a pipeline: its files, its JSON, one reading per interval, and what a failed reading answers. */
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
      assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; img-src 'self' data:");
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
      assertThat(get(server, "/api/state").statusCode()).isEqualTo(200);
    }
  }

  private HttpResponse<String> get(DashboardServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(DashboardServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
