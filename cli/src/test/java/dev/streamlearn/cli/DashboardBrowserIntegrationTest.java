package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.cli.dashboard.DashboardServer;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.streams.DatasetSpecResolver;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.streams.PreprocessApp;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import dev.streamlearn.updater.ModelAdmin;
import dev.streamlearn.updater.ModelUpdater;
import dev.streamlearn.updater.SnapshotEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: a real pipeline (streams app and updater on a generated dirty stream) publishes
 * versions and an operator rolls one back; then Debian's chromium, headless, loads the page, lets its script fetch
 * /api/state and draw, and dumps the rendered DOM. The chart must have one point per published version and the
 * version list the real version numbers and the current one. The screenshots are kept in target/dashboard-test/.
 * Without chromium the test fails in CI (.ci/run installs it) and is skipped elsewhere.
 */
class DashboardBrowserIntegrationTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String KEY = "dashboard-test-signing-key-0123456789abcdef";
  private static final Path ARTIFACTS = Path.of("target", "dashboard-test");

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void theRenderedPageShowsTheRealVersionsAndTheCurrentOne(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      if (System.getenv("CI") != null) {
        fail(CHROMIUM + " is missing: .ci/run installs Debian's chromium for this test (apt-get install chromium)");
      }
      Assumptions.abort(CHROMIUM + " is missing: install Debian's chromium (apt-get install chromium) to run the dashboard's browser test");
    }
    StreamlearnConfig config = RealKafka.config("dashboard", Map.of("model.name", "m", "updater.cache.dir", dir.resolve("cache").toString(),
        "updater.snapshot.every.records", "1000", "updater.snapshot.every.ms", "5000", "snapshot.signing.key", KEY,
        // As the quickstart: replay and averaging damp the bad batch until the gate sees no worse version to hold.
        "updater.replay.batches", "0", "updater.average.decay", "0"));
    KafkaClients clients = new KafkaClients(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    Path events = dir.resolve("events.jsonl");
    Files.write(events, new DirtyStreamGenerator(11, 0.03, 0.02).generate(6000).lines(), StandardCharsets.UTF_8);
    assertThat(Main.commandLine().execute("produce", events.toString(), "-b", config.getString(StreamlearnConfig.BOOTSTRAP),
        "-D", "topic.prefix=" + config.getString(StreamlearnConfig.TOPIC_PREFIX))).isZero();

    long rolledBackTo = runPipelineAndRollBack(config, clients, dir);

    TreeMap<Long, ModelSnapshot> versions = new SnapshotCatalog(clients).versions("m").get("m");
    ModelPointer pointer = new SnapshotCatalog(clients).pointer("m").orElseThrow();
    assertThat(versions).as("real versions").hasSizeGreaterThanOrEqualTo(3);
    assertThat(pointer.getVersion()).isEqualTo(rolledBackTo);

    try (DashboardServer server = DashboardServer.start(() -> DashboardCommand.state(config, clients, "m", 200),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(5), 5)) {
      String url = "http://127.0.0.1:" + server.port() + "/";
      // The first reading fills the server's cache, so the browser's fetch is answered at once.
      HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "api/state")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(api.statusCode()).isEqualTo(200);
      JsonNode state = new ObjectMapper().readTree(api.body());
      assertThat(state.get("current").asLong()).isEqualTo(rolledBackTo);
      assertThat(state.get("pointer_history").findValuesAsText("kind")).contains("promoted", "rollback");
      assertThat(state.get("status").get("counts").get("raw").asLong()).isEqualTo(8000);

      String dom = chromium(dir, "--dump-dom", url);
      // The error line stays hidden and empty: the page drew from /api/state without a failure (an error unhides it with its text).
      assertThat(dom).containsPattern("<div id=\"error\"[^>]*>").contains("<div id=\"error\" hidden=\"\"></div>");
      assertThat(dom).contains("<span id=\"versions-not-shown\" class=\"muted\" data-count=\"0\"></span>");
      assertThat(all(dom, "<circle class=\"point\"[^>]*? data-version=\"(\\d+)\"")).as("one chart point per real version")
          .containsExactlyElementsOf(versions.keySet());
      assertThat(all(dom, "<tr data-version=\"(\\d+)\" data-status=\"(?:PROMOTED|HELD)\"")).as("the version list, newest first")
          .containsExactlyElementsOf(versions.descendingKeySet());
      assertThat(all(dom, "<tr data-version=\"(\\d+)\" data-status=\"\\w+\" data-current=\"true\"")).containsExactly(rolledBackTo);
      assertThat(all(dom, "<circle class=\"point\"[^>]*? data-version=\"(\\d+)\" data-status=\"\\w+\" data-current=\"true\""))
          .containsExactly(rolledBackTo);
      assertThat(all(dom, "id=\"current-version\" data-version=\"(\\d+)\"")).containsExactly(rolledBackTo);
      assertThat(all(dom, "<tr data-offset=\"\\d+\" data-version=\"(\\d+)\" data-kind=\"rollback\"")).contains(rolledBackTo);
      assertThat(dom).containsPattern("<g class=\"class-row\" data-label=\"(legit|review|fraud)\" data-before=\"[1-9]");
      List<Long> held = versions.values().stream().filter(s -> s.getStatus().name().equals("HELD")).map(ModelSnapshot::getVersion).toList();
      assertThat(held).as("the gate held the bad batch's version").isNotEmpty();
      assertThat(all(dom, "<circle class=\"point\"[^>]*? data-version=\"(\\d+)\" data-status=\"HELD\"")).containsExactlyElementsOf(held);
      assertThat(all(dom, "<li data-version=\"(\\d+)\">")).containsExactlyElementsOf(held);
      assertThat(dom).containsPattern("<tr data-offset=\"\\d+\" data-version=\"\\d+\" data-kind=\"held\"");

      Files.createDirectories(ARTIFACTS);
      Path png = ARTIFACTS.resolve("dashboard.png").toAbsolutePath();
      Files.deleteIfExists(png);
      chromium(dir, "--screenshot=" + png, "--window-size=1280,900", url);
      byte[] bytes = Files.readAllBytes(png);
      assertThat(bytes.length).isGreaterThan(10_000);
      assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
      Files.writeString(ARTIFACTS.resolve("dashboard.html"), dom);
      // The whole page, for the README (docs/dashboard.png is a copy of it).
      Path full = ARTIFACTS.resolve("dashboard-full.png").toAbsolutePath();
      chromium(dir, "--screenshot=" + full, "--window-size=1280,1700", url);
      assertThat(Files.size(full)).isGreaterThan(10_000);
    }
  }

  /**
   * A state the page must survive: a version whose created_at no Date can hold (toISOString would throw a RangeError and
   * stop the drawing), versions without any metric, and older versions left out of the JSON.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aBadTimeAndVersionsWithoutMetricsStillDraw(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      if (System.getenv("CI") != null) {
        fail(CHROMIUM + " is missing: .ci/run installs Debian's chromium for this test (apt-get install chromium)");
      }
      Assumptions.abort(CHROMIUM + " is missing: install Debian's chromium (apt-get install chromium) to run the dashboard's browser test");
    }
    ObjectMapper json = new ObjectMapper();
    String state = """
        {"model": "m", "generated_at": 1700000000000, "current": 8, "head": 9, "versions_total": 40, "versions_not_shown": 38,
         "versions": [
           {"version": 8, "parent": 7, "status": "PROMOTED", "hold_reason": null, "created_at": 9e300, "trained_records": 10,
            "synthetic_records": 0, "size_bytes": 1, "sha256": "", "config_hash": "", "offsets": {}, "metrics": {}},
           {"version": 9, "parent": 8, "status": "HELD", "hold_reason": "gate", "created_at": 1700000000000, "trained_records": 20,
            "synthetic_records": 0, "size_bytes": 1, "sha256": "", "config_hash": "", "offsets": {}, "metrics": {}}],
         "pointer_history": [{"offset": 0, "version": 8, "head": 8, "previous": null, "kind": "promoted", "reason": "r", "updated_at": -9e300}],
         "balance": {"min_max_ratio": 1.0, "classes": []}, "dlq": {},
         "status": {"caught_up": true, "counts": {"raw": 1},
           "streams": {"group": "s", "lag": 0, "lag_by_partition": {}}, "updater": {"group": "u", "lag": 0, "lag_by_partition": {}}}}
        """;
    try (DashboardServer server = DashboardServer.start(() -> (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(state),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(5), 5)) {
      String dom = chromium(dir, "--dump-dom", "http://127.0.0.1:" + server.port() + "/");
      assertThat(dom).contains("<div id=\"error\" hidden=\"\"></div>");
      assertThat(all(dom, "<tr data-version=\"(\\d+)\" data-status=\"(?:PROMOTED|HELD)\"")).containsExactly(9L, 8L);
      assertThat(dom).contains("no metrics yet: none of the 2 versions shown carries one").doesNotContain("no version yet");
      assertThat(dom).contains(">38 older of 40 versions not shown (dashboard --versions)<");
      assertThat(all(dom, "<tr data-offset=\"\\d+\" data-version=\"(\\d+)\" data-kind=\"promoted\"")).containsExactly(8L);
    }
  }

  /**
   * Runs the streams app and the updater until three versions are out and every record is covered by one, sends a batch
   * with legit and fraud swapped until the gate holds a version trained on it (as the quickstart does), stops the
   * updater and rolls back to the promoted version before the one that serves.
   */
  private static long runPipelineAndRollBack(StreamlearnConfig config, KafkaClients clients, Path dir) throws Exception {
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(60));
    List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (PreprocessApp app = new PreprocessApp(config, spec, dir.resolve("state").toString())) {
      app.start();
      Future<?> run = executor.submit(() -> {
        try (ModelUpdater u = new ModelUpdater(config, events::add)) {
          u.run(stop);
        }
        return null;
      });
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
        if (run.isDone()) {
          run.get(); // the updater failed: show why
        }
        return events.stream().filter(e -> e instanceof SnapshotEvent.Published).count() >= 3;
      });
      // Every good record covered by a snapshot, then a producer bug: legit and fraud swapped. The gate holds what learns it.
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
        PipelineReport r = PipelineReport.read(clients);
        long written = r.train() + r.synthetic() - r.undersampled(); // what records.train holds, unpacked
        long learnt = events.stream().filter(e -> e instanceof SnapshotEvent.Published).mapToLong(e -> ((SnapshotEvent.Published) e).meta().getTrainedRecords())
            .max().orElse(0);
        return r.raw() == 6000 && r.reconciles() && r.held() == 0 && r.owed() == 0 && learnt >= written;
      });
      long versionsBefore = events.stream().filter(e -> e instanceof SnapshotEvent.Published).count();
      List<String> bad = QuickstartCommand.labelSwappedTrainingRecords(2000, 12, config);
      Path badFile = dir.resolve("bad.jsonl");
      Files.write(badFile, bad, StandardCharsets.UTF_8);
      assertThat(Main.commandLine().execute("produce", badFile.toString(), "-b", config.getString(StreamlearnConfig.BOOTSTRAP),
          "-D", "topic.prefix=" + config.getString(StreamlearnConfig.TOPIC_PREFIX))).isZero();
      await("a version trained on the bad batch, held by the gate").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
        if (run.isDone()) {
          run.get();
        }
        return events.stream().filter(e -> e instanceof SnapshotEvent.Published).skip(versionsBefore)
            .anyMatch(e -> ((SnapshotEvent.Published) e).meta().getStatus().name().equals("HELD"));
      });
      // Back to the promoted version before the one that serves (as an operator would after a doubtful promotion).
      List<Long> promoted = events.stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> ((SnapshotEvent.Published) e).meta())
          .filter(m -> m.getStatus().name().equals("PROMOTED")).map(ModelSnapshot::getVersion).toList();
      long target = promoted.get(promoted.size() - 2);
      // Stopped first, so no later version moves the pointer on: with no updater, the rollback moves it itself.
      stop.set(true);
      run.get(60, TimeUnit.SECONDS);
      ModelAdmin.RollbackResult r = new ModelAdmin(clients).rollback("m", target, "dashboard test", Duration.ofSeconds(1));
      assertThat(r.pointer().getVersion()).isEqualTo(target);
      return target;
    } finally {
      stop.set(true);
      executor.shutdownNow();
    }
  }

  /** Runs headless chromium on {@code url} with its own profile; returns what it printed (the DOM with --dump-dom). */
  private static String chromium(Path dir, String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--virtual-time-budget=5000"));
    command.addAll(List.of(args));
    Path out = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Path err = dir.resolve("chromium-" + System.nanoTime() + ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        fail("chromium did not finish in 120 s: " + Files.readString(err));
      }
      assertThat(p.exitValue()).as("chromium's exit code; its stderr: %s", Files.readString(err)).isZero();
      return Files.readString(out);
    } finally {
      // Chromium's zygote, GPU and renderer processes outlive a killed parent: end them all, whatever happened above.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static List<Long> all(String dom, String regex) {
    List<Long> found = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(dom);
    while (m.find()) {
      found.add(Long.parseLong(m.group(1)));
    }
    return found;
  }
}
