package dev.streamlearn.cli;

import dev.streamlearn.cli.serve.PredictionServer;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.core.StreamlearnConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a model over HTTP, following model.current: every new version, rollback and roll-forward answers as soon as "
        + "its pointer is committed.",
        "POST /predict: one JSON event or a JSON array of them (the records.raw format) -> {id, label, probabilities, version} "
            + "or an array of them. 400 with {error} (or {error, errors: [{index, id, error}]} for an array, nothing scored) when an "
            + "event cannot be scored under the model's training policy, as in 'predict'; 413 when the body is over --max-body-bytes; "
            + "503 until a first version is loaded.",
        "GET /health: 200 {status: up, model, version, loadFailures}, 503 before a first version.",
        "GET /metrics: Prometheus text (requests by endpoint and code, /predict latency histogram, events scored and refused, "
            + "the served version, load failures, swaps).",
        "Runs until interrupted (Ctrl-C)."})
public final class ServeCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (0: any free port; the one taken is printed). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = {"-m", "--model"}, description = "Model name (default: the model.name setting).")
  String model;

  @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body accepted. Default: ${DEFAULT-VALUE}.")
  long maxBodyBytes;

  @Option(names = "--threads", defaultValue = "4", description = "Request threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--wait", defaultValue = "PT60S", description = "How long to wait for a first version before saying there is none "
      + "(serving goes on, answering 503 until one comes). Default: ${DEFAULT-VALUE}.")
  Duration wait;

  @Override
  public Integer call() throws Exception {
    if (maxBodyBytes < 1 || threads < 1) {
      System.err.println("serve: --max-body-bytes and --threads must be at least 1");
      return 2;
    }
    String name = model == null ? options.config().getString(StreamlearnConfig.MODEL_NAME) : model;
    CountDownLatch stopped = new CountDownLatch(1);
    try (CurrentModel served = new CurrentModel(options.clients(), name)) {
      served.addListener((previous, current) -> System.err.printf("serve: %s v%d answers now (was %s)%n", name, current,
          previous < 0 ? "none" : "v" + previous));
      served.follow();
      try (PredictionServer server = PredictionServer.start(served, new InetSocketAddress(host, port), maxBodyBytes, threads)) {
        System.out.printf("serving %s on http://%s:%d (POST /predict, GET /health, GET /metrics)%n", name, host, server.port());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        try {
          served.awaitVersion(wait);
        } catch (CurrentModel.NoModelException e) {
          System.err.println("serve: " + e.getMessage() + "; answering 503 until one loads");
        }
        stopped.await();
      }
    }
    return 0;
  }
}
