package dev.semblance.server;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The API keys of a server, kept in one file: each key's id, role, times and the SHA-256 of the
 * key, never the key itself. A new key is shown once, by {@link #add}; a lost key is revoked and
 * replaced. Keys are 256-bit random strings, so an unsalted hash cannot be searched backwards, and
 * a presented key is checked against its record's hash in constant time.
 *
 * <p>A running server sees keys added or revoked by another process (the command line) at its next
 * request: {@link #authenticate} rereads the file when it has been replaced.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use. Changes from several processes are serialised
 * by a lock file beside the key file, and each replaces the file atomically.
 */
public final class ApiKeys {
  private static final String HEADER =
      "# semblance api keys v1: id, role, created, revoked, sha256";
  private static final String PREFIX = "smb_";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key's record: what {@link #list} shows. {@code revoked} is null for a live key. */
  public record KeyInfo(String id, Role role, Instant created, Instant revoked, String label) {
    public boolean isRevoked() {
      return revoked != null;
    }
  }

  /** A key just made: {@code secret} is the whole key to give the client; it is not kept. */
  public record NewKey(KeyInfo info, String secret) {}

  /** Why a presented key was refused. */
  public enum Refusal {
    /** No key was presented. */
    MISSING("no API key"),
    /** The key is not one of this server's. */
    UNKNOWN("unknown API key"),
    /** The key was revoked. */
    REVOKED("revoked API key");

    private final String message;

    Refusal(String message) {
      this.message = message;
    }

    /** For people: "no API key", "unknown API key" or "revoked API key". */
    public String message() {
      return message;
    }
  }

  /** The answer to a presented key: its record, or why it was refused (null when admitted). */
  public record Check(Optional<KeyInfo> key, Refusal refusal) {}

  private record Entry(KeyInfo info, byte[] hash) {}

  private final Path file;
  private volatile List<Entry> entries = List.of();
  private volatile Object loadedVersion;

  private ApiKeys(Path file) {
    this.file = file;
  }

  /**
   * The keys kept in {@code file}; a missing file holds none and is created by the first {@link
   * #add}.
   *
   * @throws IllegalArgumentException if the file is not a key file
   * @throws UncheckedIOException if it cannot be read
   */
  public static ApiKeys open(Path file) {
    ApiKeys keys = new ApiKeys(Objects.requireNonNull(file, "file"));
    keys.reloadIfReplaced();
    return keys;
  }

  /**
   * Makes a key of {@code role}, labelled for the people who manage keys (e.g. "door camera").
   *
   * @throws IllegalArgumentException if the label is blank or holds tabs or line breaks
   */
  public NewKey add(Role role, String label) {
    Objects.requireNonNull(role, "role");
    checkArgument(label != null && !label.isBlank(), "a key needs a label, e.g. its client");
    checkArgument(
        label.chars().noneMatch(Character::isISOControl),
        "a key's label must not hold control characters");
    byte[] id = new byte[5];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String keyId = HexFormat.of().formatHex(id);
    String key =
        PREFIX + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    KeyInfo info = new KeyInfo(keyId, role, Instant.now(), null, label.strip());
    change(
        list -> {
          list.add(new Entry(info, sha256(key)));
          return true;
        });
    return new NewKey(info, key);
  }

  /**
   * Revokes key {@code id}: the server refuses it from its next request on.
   *
   * @return whether a live key of that id was revoked
   */
  public boolean revoke(String id) {
    return change(
        list -> {
          for (int i = 0; i < list.size(); i++) {
            KeyInfo k = list.get(i).info();
            if (k.id().equals(id) && !k.isRevoked()) {
              list.set(
                  i,
                  new Entry(
                      new KeyInfo(k.id(), k.role(), k.created(), Instant.now(), k.label()),
                      list.get(i).hash()));
              return true;
            }
          }
          return false;
        });
  }

  /** Every key ever made, revoked ones included, oldest first. */
  public List<KeyInfo> list() {
    reloadIfReplaced();
    return entries.stream().map(Entry::info).toList();
  }

  /** Whether any key may still be used. */
  public boolean hasLiveKey() {
    return list().stream().anyMatch(k -> !k.isRevoked());
  }

  /**
   * Checks a key presented by a client: its record when it is live, else why not. Never throws for
   * what a client sends.
   */
  public Check authenticate(String presented) {
    if (presented == null || presented.isBlank()) {
      return new Check(Optional.empty(), Refusal.MISSING);
    }
    reloadIfReplaced();
    String key = presented.strip();
    int idEnd = key.indexOf('_', PREFIX.length());
    if (!key.startsWith(PREFIX) || idEnd < 0) {
      return new Check(Optional.empty(), Refusal.UNKNOWN);
    }
    String id = key.substring(PREFIX.length(), idEnd);
    byte[] hash = sha256(key);
    for (Entry entry : entries) {
      if (entry.info().id().equals(id) && MessageDigest.isEqual(entry.hash(), hash)) {
        return entry.info().isRevoked()
            ? new Check(Optional.empty(), Refusal.REVOKED)
            : new Check(Optional.of(entry.info()), null);
      }
    }
    return new Check(Optional.empty(), Refusal.UNKNOWN);
  }

  private interface Change {
    boolean apply(List<Entry> entries);
  }

  /** Applies a change under the lock file, rereading the keys first; whether it changed them. */
  private synchronized boolean change(Change change) {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        List<Entry> list = new ArrayList<>(read());
        if (!change.apply(list)) {
          return false;
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Entry e : list) {
          KeyInfo k = e.info();
          text.append(k.id())
              .append('\t')
              .append(k.role().label())
              .append('\t')
              .append(k.created())
              .append('\t')
              .append(k.revoked() == null ? "-" : k.revoked().toString())
              .append('\t')
              .append(HexFormat.of().formatHex(e.hash()))
              .append('\t')
              .append(k.label())
              .append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        DurableFiles.replaceOrThrow(file, out -> out.write(bytes));
        ownerOnly(file);
        loadedVersion = null;
        reloadIfReplaced();
        return true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update API key file " + file + ": " + e, e);
    }
  }

  /** Rereads the file when it was replaced since it was last read (a stat per call). */
  private void reloadIfReplaced() {
    Object version;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      version =
          List.of(
              String.valueOf(attributes.fileKey()),
              attributes.lastModifiedTime(),
              attributes.size());
    } catch (NoSuchFileException e) {
      version = "absent";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read API key file " + file + ": " + e, e);
    }
    if (!version.equals(loadedVersion)) {
      synchronized (this) {
        try {
          entries = List.copyOf(read());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read API key file " + file + ": " + e, e);
        }
        loadedVersion = version;
      }
    }
  }

  private List<Entry> read() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    checkArgument(
        !lines.isEmpty() && lines.get(0).equals(HEADER),
        "%s is not a Semblance API key file",
        file);
    List<Entry> list = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split("\t", 6);
      checkArgument(f.length == 6, "%s line %s: expected 6 tab-separated fields", file, i + 1);
      list.add(
          new Entry(
              new KeyInfo(
                  f[0],
                  Role.of(f[1]),
                  Instant.parse(f[2]),
                  f[3].equals("-") ? null : Instant.parse(f[3]),
                  f[5]),
              HexFormat.of().parseHex(f[4])));
    }
    return list;
  }

  /** Hashes are not keys, but there is no reason for others to read them. */
  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own access rules apply
    }
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys[" + file + "]";
  }
}
