package dev.semblance.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void aKeyIsShownOnceKeptOnlyAsAHashAndRefusedOnceRevoked() throws Exception {
    Path file = dir.resolve("keys.tsv");
    ApiKeys keys = ApiKeys.open(file);
    assertThat(keys.hasLiveKey()).isFalse();
    ApiKeys.NewKey door = keys.add(Role.RECOGNIZE, "door camera");
    ApiKeys.NewKey ops = keys.add(Role.ADMIN, "ops");
    assertThat(door.secret()).startsWith("smb_" + door.info().id() + "_").hasSizeGreaterThan(50);
    String stored = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(stored).doesNotContain(door.secret()).doesNotContain(ops.secret());
    assertThat(stored).contains(door.info().id()).contains("door camera");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    assertThat(keys.authenticate(door.secret()).key()).contains(door.info());
    assertThat(keys.authenticate(" " + ops.secret() + "\n").key().get().role())
        .isEqualTo(Role.ADMIN);
    assertThat(keys.authenticate(null).refusal()).isEqualTo(ApiKeys.Refusal.MISSING);
    assertThat(keys.authenticate(door.secret() + "x").refusal()).isEqualTo(ApiKeys.Refusal.UNKNOWN);
    assertThat(keys.authenticate("smb_" + ops.info().id() + door.secret().substring(14)).refusal())
        .isEqualTo(ApiKeys.Refusal.UNKNOWN);

    // Another process (the command line) revokes; this instance sees it at the next check.
    assertThat(ApiKeys.open(file).revoke(door.info().id())).isTrue();
    assertThat(keys.authenticate(door.secret()).refusal()).isEqualTo(ApiKeys.Refusal.REVOKED);
    assertThat(ApiKeys.open(file).revoke(door.info().id())).as("already revoked").isFalse();
    assertThat(keys.list()).hasSize(2);
    assertThat(keys.list().get(0).isRevoked()).isTrue();
    assertThat(keys.authenticate(ops.secret()).key()).isPresent();
  }

  @Test
  void rolesAndBadFilesAreNamed() throws Exception {
    assertThat(Role.of("Admin")).isEqualTo(Role.ADMIN);
    assertThat(Role.ADMIN.allows(Role.RECOGNIZE)).isTrue();
    assertThat(Role.RECOGNIZE.allows(Role.ADMIN)).isFalse();
    assertThat(Role.IDENTIFY.allows(Role.RECOGNIZE)).isTrue();
    assertThat(Role.IDENTIFY.allows(Role.ADMIN)).isFalse();
    assertThat(Role.RECOGNIZE.allows(Role.IDENTIFY)).isFalse();
    assertThatThrownBy(() -> Role.of("root")).hasMessageContaining("recognize, identify or admin");
    Path bad = dir.resolve("not-keys.tsv");
    Files.writeString(bad, "hello\n");
    assertThatThrownBy(() -> ApiKeys.open(bad))
        .hasMessageContaining("not a Semblance API key file");
    assertThatThrownBy(() -> ApiKeys.open(dir.resolve("k")).add(Role.ADMIN, "tab\there"))
        .hasMessageContaining("control characters");
  }
}
