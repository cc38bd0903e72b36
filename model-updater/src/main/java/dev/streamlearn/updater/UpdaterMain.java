package dev.streamlearn.updater;

import dev.streamlearn.core.StreamlearnConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs the model updater from a properties file, logging each event: the entry point for a process of its own (and for crash tests). */
public final class UpdaterMain {

  private UpdaterMain() {}

  public static void main(String[] args) throws Exception {
    dev.streamlearn.client.NativeMemory.applyDefaults(); // before ND4J loads, as the CLI does
    StreamlearnConfig config = StreamlearnConfig.load(args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
    AtomicBoolean stop = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
    try (ModelUpdater updater = new ModelUpdater(config, e -> System.out.println(e))) {
      updater.run(stop);
    }
  }
}
