package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.client.snapshot.SigningKey;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

  @Test
  void theLocalToolsCreateAnOwnerOnlyRandomKeyOnceAndUseIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/snapshot-signing.key");
    StreamlearnConfig config = StreamlearnConfig.of(Map.of("snapshot.signing.key.file", file.toString()));
    assertThatThrownBy(() -> SigningKey.resolve(config)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("no snapshot signing key");

    assertThat(SigningKey.ensureLocalFile(config)).contains(file.toAbsolutePath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    byte[] key = SigningKey.resolve(config);
    assertThat(new String(key, StandardCharsets.UTF_8)).matches("[0-9a-f]{64}");

    assertThat(SigningKey.ensureLocalFile(config)).as("created once").isEmpty();
    assertThat(SigningKey.resolve(config)).isEqualTo(key);
  }

  @Test
  void theSettingWinsOverTheFileAndNoFileIsCreatedThen(@TempDir Path dir) {
    Path file = dir.resolve("k");
    String setting = "s".repeat(32);
    StreamlearnConfig config = StreamlearnConfig.of(Map.of("snapshot.signing.key", setting, "snapshot.signing.key.file", file.toString()));
    assertThat(SigningKey.ensureLocalFile(config)).isEmpty();
    assertThat(Files.exists(file)).isFalse();
    assertThat(SigningKey.resolve(config)).isEqualTo(setting.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aKeyFileTooShortToBeAKeyIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("k");
    Files.writeString(file, "short\n");
    StreamlearnConfig config = StreamlearnConfig.of(Map.of("snapshot.signing.key.file", file.toString()));
    assertThatThrownBy(() -> SigningKey.resolve(config)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("shorter than 32")
        .hasMessageNotContaining("short\n");
  }
}
