package dev.streamlearn.updater;

import dev.streamlearn.avro.ModelSnapshot;

/** What the updater did, for the CLI and the quickstart to show. */
public sealed interface SnapshotEvent {

  /** A snapshot was published. */
  record Published(ModelSnapshot meta, long servingVersion, String gateReason, long publishMs, double trainSamplesPerSecond) implements SnapshotEvent {}

  /** The pointer moved to an older or newer version on an operator's command. */
  record RolledBack(String model, long from, long to, String reason) implements SnapshotEvent {}

  /** This instance is waiting for another updater of the same model to stop. */
  record Waiting(String model) implements SnapshotEvent {}

  /** This instance leads and resumed from a version (or from scratch: -1). */
  record Resumed(String model, long headVersion, long servingVersion, java.util.Map<String, Long> offsets) implements SnapshotEvent {}
}
