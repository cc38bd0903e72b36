package dev.streamlearn.client.snapshot;

import static dev.streamlearn.core.StreamlearnConfig.SIGNING_KEY_MIN_CHARS;
import static dev.streamlearn.core.StreamlearnConfig.SNAPSHOT_SIGNING_KEY;
import static dev.streamlearn.core.StreamlearnConfig.SNAPSHOT_SIGNING_KEY_FILE;

import dev.streamlearn.core.StreamlearnConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where the snapshot signing key comes from: the setting {@code snapshot.signing.key}, else the key
 * file (created once by the local tools). Without either, nothing can be signed or verified, and
 * loaders refuse rather than trust an unsigned snapshot. The key is never logged or printed.
 */
public final class SigningKey {

  private SigningKey() {}

  /** The key's bytes; throws {@link SnapshotIntegrityException} when none is configured. */
  public static byte[] resolve(StreamlearnConfig config) {
    String key = config.getPassword(SNAPSHOT_SIGNING_KEY).value();
    if (!key.isEmpty()) {
      return key.getBytes(StandardCharsets.UTF_8);
    }
    Path file = Path.of(config.getString(SNAPSHOT_SIGNING_KEY_FILE));
    if (Files.isRegularFile(file)) {
      String fromFile = read(file);
      if (fromFile.length() < SIGNING_KEY_MIN_CHARS) {
        throw new SnapshotIntegrityException("the snapshot signing key in " + file + " is shorter than " + SIGNING_KEY_MIN_CHARS + " characters");
      }
      return fromFile.getBytes(StandardCharsets.UTF_8);
    }
    throw new SnapshotIntegrityException("no snapshot signing key: set " + SNAPSHOT_SIGNING_KEY + " to the updater's key (or put it in "
        + file + "); without it no snapshot can be verified, so none is loaded");
  }

  /**
   * For the local tools: when the setting is empty and the key file does not exist yet, creates it
   * with a random 256-bit key, readable by its owner only. Returns the file if it was created now.
   */
  public static java.util.Optional<Path> ensureLocalFile(StreamlearnConfig config) {
    if (!config.getPassword(SNAPSHOT_SIGNING_KEY).value().isEmpty()) {
      return java.util.Optional.empty();
    }
    Path file = Path.of(config.getString(SNAPSHOT_SIGNING_KEY_FILE)).toAbsolutePath();
    if (Files.exists(file)) {
      return java.util.Optional.empty();
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    try {
      Files.createDirectories(file.getParent());
      try {
        // Created with owner-only permissions, so the key is never readable by others, not even for a moment.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
      return java.util.Optional.of(file);
    } catch (FileAlreadyExistsException e) {
      return java.util.Optional.empty(); // another process created it first: use theirs
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the snapshot signing key file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the snapshot signing key file " + file + ": " + e.getMessage(), e);
    }
  }
}
