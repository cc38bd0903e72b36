package dev.streamlearn.cli;

import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "streamlearn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"A Kafka-native pipeline that turns labeled events into a versioned classifier.", ""},
    subcommands = {KafkaCommand.class, TopicsCommand.class, ProduceCommand.class, ConsumeCommand.class, StreamsCommand.class,
        StatsCommand.class, StatusCommand.class, DlqCommand.class, ReplayCommand.class, UpdaterCommand.class, ModelsCommand.class, PredictCommand.class, ServeCommand.class, DashboardCommand.class, GenerateCommand.class, QuickstartCommand.class, ConfigCommand.class, dev.streamlearn.cli.bench.BenchCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Every command takes --config FILE, --bootstrap HOST:PORT and -D KEY=VALUE. See README.md."})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    dev.streamlearn.client.NativeMemory.applyDefaults(); // before any command loads ND4J
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      String msg = ex instanceof ConfigException ? "configuration: " + ex.getMessage() : describe(ex);
      commandLine.getErr().println("error: " + msg);
      if (System.getenv("STREAMLEARN_DEBUG") != null) {
        ex.printStackTrace(commandLine.getErr());
      }
      return ex instanceof ConfigException ? 2 : 1;
    });
    return cl;
  }

  private static String describe(Throwable ex) {
    Throwable t = ex;
    while ((t instanceof java.util.concurrent.ExecutionException || t.getMessage() == null) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"streamlearn " + (v == null ? "dev" : v)};
    }
  }
}
