package dev.streamlearn.core;

/** Every topic streamlearn uses; the full name is {@code topic.prefix} + suffix. */
public enum TopicName {
  RAW("records.raw"),
  CLEAN("records.clean"),
  TRAIN("records.train"),
  EVAL("records.eval"),
  DLQ("records.dlq"),
  /** Records the updater could not use from its internal input topics (undecodable, tombstones): kept apart from the input DLQ. */
  QUARANTINE("records.quarantine"),
  STATS("normalizer.stats"),
  SNAPSHOTS("model.snapshots"),
  CURRENT("model.current"),
  COMMANDS("model.commands");

  private final String suffix;

  TopicName(String suffix) {
    this.suffix = suffix;
  }

  public String suffix() {
    return suffix;
  }
}
