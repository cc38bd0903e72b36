package dev.streamlearn.updater;

import dev.streamlearn.core.StreamlearnConfig;

/** The consumer groups of a model's updater, named in one place for the updater and for the operators' tools that look at them. */
public final class UpdaterGroups {

  private UpdaterGroups() {}

  /** Commits the offsets each snapshot covers; also the transactional id. */
  public static String data(StreamlearnConfig config, String model) {
    return config.getString(StreamlearnConfig.TOPIC_PREFIX) + "updater-" + model;
  }

  /** Its members are the running updaters of the model (see {@link LeaderLock}). */
  public static String leader(StreamlearnConfig config, String model) {
    return data(config, model) + ".leader";
  }
}
