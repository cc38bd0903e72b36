package dev.streamlearn.cli;

import dev.streamlearn.core.DefaultReplication;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicSpec;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create and check the pipeline's topics from one declarative spec.",
    subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class})
public final class TopicsCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create missing topics; report drift (exists with other settings). Exit 0, or 4 if any topic drifted.")
  static final class Create implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      return run(options, true);
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Compare existing topics with the spec without creating any. Exit 4 on drift or a missing topic.")
  static final class Check implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
      return run(options, false);
    }
  }

  static int run(ConfigOptions options, boolean create) throws Exception {
    try (Admin admin = options.clients().admin()) {
      List<TopicSpec> specs = TopicSpec.all(DefaultReplication.resolve(admin, options.config()));
      TopicAdmin topics = new TopicAdmin(admin);
      if (!create) {
        var existing = admin.listTopics().names().get();
        boolean bad = false;
        for (TopicSpec s : specs) {
          if (!existing.contains(s.fullName())) {
            System.out.printf("%-8s %s%n", "MISSING", s.fullName());
            bad = true;
          } else {
            List<String> drift = topics.drift(s);
            System.out.printf("%-8s %s%s%n", drift.isEmpty() ? "OK" : "DRIFT", s.fullName(), drift.isEmpty() ? "" : ": " + String.join("; ", drift));
            bad |= !drift.isEmpty();
          }
        }
        return bad ? 4 : 0;
      }
      List<TopicAdmin.Result> results = topics.ensure(specs);
      results.forEach(System.out::println);
      int brokers = admin.describeCluster().nodes().get().size();
      int rf = topics.replicationFactor(specs.get(0).fullName());
      System.err.printf("topics: %s; replication factor %d on %d broker(s)%n", TopicAdmin.summary(results), rf, brokers);
      if (rf < Math.min(3, brokers)) {
        // One copy of a record on a multi-broker cluster is lost with its broker.
        System.err.printf("topics: warning: replication factor %d with %d brokers; set topic.replication.factor=%d, or the brokers' "
            + "default.replication.factor, before the topics are created%n", rf, brokers, Math.min(3, brokers));
      }
      return results.stream().anyMatch(r -> r.status() == TopicAdmin.Status.DRIFT) ? 4 : 0;
    }
  }
}
