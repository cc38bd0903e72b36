package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.cli.dashboard.DashboardServer;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's real reading against a broker address nobody listens on: the page and a 503 with the reason, no hang. */
class DashboardUnreachableBrokerTest {

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void withNoBrokerThePageAndA503AnswerAndTheFailureIsNotReadAgainPerRequest() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // free once closed: nothing listens there
    }
    StreamlearnConfig config = StreamlearnConfig.of(Map.of(StreamlearnConfig.BOOTSTRAP, "127.0.0.1:" + closed, "client.read.timeout.ms", "3000"));
    KafkaClients clients = new KafkaClients(config);
    AtomicInteger reads = new AtomicInteger();
    HttpClient http = HttpClient.newHttpClient();
    try (DashboardServer server = DashboardServer.start(() -> {
      reads.incrementAndGet();
      return DashboardCommand.state(config, clients, "m", 200);
    }, new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(5), 5)) {
      URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
      CompletableFuture<HttpResponse<String>> state = http.sendAsync(HttpRequest.newBuilder(base.resolve("api/state")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);

      HttpResponse<String> failed = state.get(60, TimeUnit.SECONDS);
      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(new ObjectMapper().readTree(failed.body()).get("error").asText()).startsWith("the pipeline's state cannot be read: ")
          .contains("127.0.0.1:" + closed);
      HttpResponse<String> again = http.send(HttpRequest.newBuilder(base.resolve("api/state")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).isEqualTo(503);
      assertThat(again.body()).isEqualTo(failed.body());
      assertThat(reads).as("the failure is kept for the interval").hasValue(1);
    }
  }
}
