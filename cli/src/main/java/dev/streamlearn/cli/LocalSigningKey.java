package dev.streamlearn.cli;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.client.snapshot.SigningKey;

/** The local tools' snapshot signing key: created once when none is configured, so a local pipeline signs without set-up. */
final class LocalSigningKey {

  private LocalSigningKey() {}

  static void ensure(StreamlearnConfig config) {
    SigningKey.ensureLocalFile(config).ifPresent(file -> System.err.println("streamlearn: created a snapshot signing key in " + file
        + " (owner-only); services on other hosts need its content as snapshot.signing.key"));
  }
}
