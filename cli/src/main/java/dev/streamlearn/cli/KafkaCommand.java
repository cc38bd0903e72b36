package dev.streamlearn.cli;

import dev.streamlearn.core.LocalKafka;
import dev.streamlearn.core.PipelineAcls;
import dev.streamlearn.core.StreamlearnConfig;
import org.apache.kafka.clients.admin.Admin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
    description = "Run a real single-node KRaft Kafka broker on loopback (no Docker). Data: local.kafka.dir (default .streamlearn/kafka).",
    subcommands = {KafkaCommand.Start.class, KafkaCommand.Stop.class, KafkaCommand.Status.class, KafkaCommand.Grant.class})
public final class KafkaCommand {

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Format storage on first use, start the broker, wait until it answers, print its bootstrap address. Harmless if it already runs.")
  static final class Start implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(names = "--secure", description = "TLS + SASL/SCRAM-SHA-512 + ACLs, with a CA, certificates and random passwords generated in "
        + "<local.kafka.dir>/secure on first use (needs a fresh local.kafka.dir; a secured directory stays secured). "
        + "Writes one client properties file per principal (streams, updater, operator, producer, reader, admin) for --config.")
    boolean secure;

    @Override
    public Integer call() throws Exception {
      LocalKafka kafka = LocalKafka.fromConfig(options.config());
      if (secure) {
        kafka.secure();
      }
      long t0 = System.nanoTime();
      boolean started = kafka.start();
      System.err.printf("%s%s (pid %d, data %s, %.1f s)%n", started ? "kafka started" : "kafka already running", kafka.isSecure() ? " secured" : "",
          kafka.process().map(ProcessHandle::pid).orElse(-1L), kafka.dir(), (System.nanoTime() - t0) / 1e9);
      if (kafka.isSecure()) {
        // ACLs for this configuration's topic prefix; the passwords stay in the files (mode 600), never on the terminal.
        kafka.grantPipeline(options.config()).forEach((principal, file) -> System.err.printf("  %-9s --config %s%n", principal, file));
      }
      System.out.println(kafka.bootstrap());
      return 0;
    }
  }

  @Command(name = "grant", mixinStandardHelpOptions = true,
      description = "Create the ACLs of this configuration's topic.prefix on the configured cluster (principals streams, updater, operator, "
          + "producer, reader; see README 'Secured cluster'). Run it with a super user's credentials. Creating existing ACLs again is harmless.")
  static final class Grant implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      PipelineAcls acls = new PipelineAcls(options.config());
      try (Admin admin = options.clients().admin()) {
        acls.apply(admin);
      }
      System.err.printf("%d ACLs for topic prefix '%s' on %s%n", acls.bindings().size(), options.config().getString(StreamlearnConfig.TOPIC_PREFIX),
          options.config().getString(StreamlearnConfig.BOOTSTRAP));
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the local broker cleanly (controlled shutdown).")
  static final class Stop implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      LocalKafka kafka = LocalKafka.fromConfig(options.config());
      System.err.println(kafka.stop() ? "kafka stopped" : "kafka was not running");
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Say whether the local broker runs; exit 0 if it does, 3 if not.")
  static final class Status implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() {
      LocalKafka kafka = LocalKafka.fromConfig(options.config());
      return kafka.process().map(p -> {
        System.out.println("running pid=" + p.pid() + " bootstrap=" + kafka.bootstrap() + " data=" + kafka.dir());
        return 0;
      }).orElseGet(() -> {
        System.out.println("stopped data=" + kafka.dir());
        return 3;
      });
    }
  }
}
