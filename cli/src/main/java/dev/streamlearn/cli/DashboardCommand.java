package dev.streamlearn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlearn.cli.dashboard.DashboardServer;
import dev.streamlearn.cli.dashboard.DashboardState;
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

  @Option(names = "--host", description = "Address to bind (0.0.0.0 for every interface: anyone who can reach it sees the page, there is "
      + "no authentication). Default: 127.0.0.1, and then only requests naming a loopback host are answered (against DNS rebinding).")
  String host;

  @Option(names = {"-m", "--model"}, description = "Model name (default: the model.name setting).")
  String model;

  @Option(names = "--refresh", defaultValue = "5", description = "Seconds between the page's refreshes; the topics are read at most "
      + "once per refresh, however many pages are open. Default: ${DEFAULT-VALUE}.")
  int refreshSeconds;

  @Option(names = "--versions", defaultValue = "200", description = "How many of the newest versions the page shows (the current one and "
      + "its parent come as well; the page says how many are left out). Default: ${DEFAULT-VALUE}.")
  int maxVersions;

  @Override
  public Integer call() throws Exception {
    if (refreshSeconds < 1) {
      System.err.println("dashboard: --refresh must be at least 1 second");
      return 2;
    }
    if (maxVersions < 1) {
      System.err.println("dashboard: --versions must be at least 1");
      return 2;
    }
    StreamlearnConfig config = options.config();
    String name = model == null ? config.getString(StreamlearnConfig.MODEL_NAME) : model;
    KafkaClients clients = options.clients();
    CountDownLatch stopped = new CountDownLatch(1);
    String bind = host == null ? "127.0.0.1" : host;
    try (DashboardServer server = DashboardServer.start(() -> state(config, clients, name, maxVersions), new InetSocketAddress(bind, port),
        Duration.ofSeconds(refreshSeconds), refreshSeconds, host == null)) {
      System.out.printf("dashboard of %s on http://%s:%d/ (JSON: /api/state)%n", name, bind, server.port());
      System.out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }

  /**
   * One reading of everything the page shows, through the readers 'status', 'stats' and 'models' use; each topic is
   * read once (model.current for the pointer history, whose last entry is the current pointer).
   */
  static ObjectNode state(StreamlearnConfig config, KafkaClients clients, String model, int maxVersions) throws Exception {
    StatusReport status = StatusReport.read(config, clients, model, true);
    return DashboardState.of(model, status.json(), status.versions(), maxVersions, status.pointer(), status.pointerHistory(),
        status.pipeline(), BalanceReport.of(status.pipeline(), config));
  }
}
