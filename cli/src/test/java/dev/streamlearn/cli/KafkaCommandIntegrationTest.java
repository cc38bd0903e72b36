package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.LocalKafkaCluster;
import dev.streamlearn.core.RealKafka;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kafka start|status|stop` on a three-node local cluster, through the CLI: the exit codes scripts rely on. */
class KafkaCommandIntegrationTest {

  @Test
  void statusTellsAllSomeAndNoneApartAndStartBringsBackAKilledNode(@TempDir Path dir) throws Exception {
    int port = RealKafka.freePortBlock(6);
    String[] local = {"-D", "local.kafka.dir=" + dir, "-D", "local.kafka.port=" + port, "-D", "local.kafka.controller.port=" + (port + 1),
        "-D", "local.kafka.heap=384m"};
    try {
      assertThat(run("status", local)).as("nothing started yet").isEqualTo(3);
      assertThat(run("start", concat(local, "--brokers", "3"))).isZero();
      assertThat(run("status", local)).as("all three run").isZero();

      ProcessHandle node2 = LocalKafkaCluster.of(dir, 0, port, port + 1, "384m", "").nodes().get(1).process().orElseThrow();
      node2.destroyForcibly();
      node2.onExit().get(30, TimeUnit.SECONDS);
      assertThat(run("status", local)).as("node 2 killed: some run").isEqualTo(4);

      assertThat(run("start", local)).as("start with no --brokers: the size the directory holds").isZero();
      assertThat(run("status", local)).isZero();
    } finally {
      assertThat(run("stop", local)).isZero();
    }
    assertThat(run("status", local)).as("stopped").isEqualTo(3);
  }

  private static int run(String sub, String... args) {
    return Main.commandLine().execute(concat(new String[] {"kafka", sub}, args));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
