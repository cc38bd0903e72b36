package dev.streamlearn.cli;

import dev.streamlearn.updater.ModelUpdater;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "updater", mixinStandardHelpOptions = true,
    description = {"Run the model updater until interrupted: train on records.train, evaluate on records.eval,",
        "publish a snapshot every updater.snapshot.every.records records or updater.snapshot.every.ms, gate promotion,",
        "apply rollback commands. A second instance for the same model waits and takes over when the first stops."})
public final class UpdaterCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.set(true);
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    LocalSigningKey.ensure(options.config());
    try (ModelUpdater updater = new ModelUpdater(options.config(), new EventPrinter())) {
      updater.run(stop);
    } finally {
      done.countDown();
    }
    return 0;
  }
}
