package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.cli.dashboard.DashboardServer;
import dev.streamlearn.cli.dashboard.DashboardState;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.streams.rebalance.BalanceReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serve a page for operators that refreshes on its own: the timeline of model versions with their metrics as a chart, "
        + "the current one, held versions with their reasons, rollbacks (the pointer history on model.current), lineage (parent, "
        + "records, offsets), class balance before and after rebalancing, DLQ counts by reason, and consumer lag.",
        "GET /: the page (no external script: it works offline). GET /api/state: its JSON (the 'status --json' object under "
            + "'status', plus versions, pointer_history, balance, dlq).",
        "Runs until interrupted (Ctrl-C)."})
public final class DashboardCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--port", defaultValue = "8090", description = "Port to listen on (0: any free port; the one taken is printed). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = {"-m", "--model"}, description = "Model name (default: the model.name setting).")
  String model;

  @Option(names = "--refresh", defaultValue = "5", description = "Seconds between the page's refreshes; the topics are read at most "
      + "once per refresh, however many pages are open. Default: ${DEFAULT-VALUE}.")
  int refreshSeconds;

  @Override
  public Integer call() throws Exception {
    if (refreshSeconds < 1) {
      System.err.println("dashboard: --refresh must be at least 1 second");
      return 2;
    }
    StreamlearnConfig config = options.config();
    String name = model == null ? config.getString(StreamlearnConfig.MODEL_NAME) : model;
    KafkaClients clients = options.clients();
    CountDownLatch stopped = new CountDownLatch(1);
    try (DashboardServer server = DashboardServer.start(() -> state(config, clients, name), new InetSocketAddress(host, port),
        Duration.ofSeconds(refreshSeconds), refreshSeconds)) {
      System.out.printf("dashboard of %s on http://%s:%d/ (JSON: /api/state)%n", name, host, server.port());
      System.out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }

  /** One reading of everything the page shows, through the readers 'status', 'stats' and 'models' use. */
  static ObjectNode state(StreamlearnConfig config, KafkaClients clients, String model) throws Exception {
    StatusReport status = StatusReport.read(config, clients, model);
    return DashboardState.of(model, status.json(), status.versions(), status.pointer(), new SnapshotCatalog(clients).pointerHistory(model),
        status.pipeline(), BalanceReport.of(status.pipeline(), config));
  }
}
