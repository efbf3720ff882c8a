package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Damages a gallery directory in every way at every offset: each byte of the log and of the
 * snapshot flipped, the log cut at every length, garbage appended. Every case must either be
 * reported as a {@link GalleryFormatException} or open to a state the gallery really had: the whole
 * history, or (only when the damage is in the last log record, as a crash would leave it) the
 * history without its last operation. Never anything else.
 */
class GalleryCorruptionTest {
  private static final Logger log = LoggerFactory.getLogger(GalleryCorruptionTest.class);
  @TempDir Path dir;
  private Path logFile;
  private Path snapshotFile;

  /** Identities after each logged operation; index 0 is the state the snapshot holds. */
  private final List<Set<String>> history = new ArrayList<>();

  /** Where each logged operation's record ends in the log. */
  private final List<Long> recordEnds = new ArrayList<>();

  /** Null for a plain gallery. */
  private SecretKey key;

  private Gallery open() {
    return key == null ? DurableGalleryTest.open(dir) : DurableGalleryTest.openEncrypted(dir, key);
  }

  private void writeGallery() throws IOException {
    try (Gallery gallery = open()) {
      for (int i = 0; i < 8; i++) {
        gallery.enroll("s" + i, DurableGalleryTest.unit(i));
      }
      gallery.compact();
      logFile = DurableGalleryTest.onlyLog(dir);
      history.add(new TreeSet<>(gallery.identities()));
      recordEnds.add(Files.size(logFile));
      for (int i = 0; i < 6; i++) {
        gallery.enroll("l" + i, DurableGalleryTest.unit(100 + i));
        if (i == 3) {
          history.add(new TreeSet<>(gallery.identities()));
          recordEnds.add(Files.size(logFile));
          gallery.remove("s2");
        }
        history.add(new TreeSet<>(gallery.identities()));
        recordEnds.add(Files.size(logFile));
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      snapshotFile =
          files
              .filter(f -> f.getFileName().toString().startsWith("snapshot-"))
              .findFirst()
              .orElseThrow();
    }
  }

  @ParameterizedTest(name = "encrypted: {0}")
  @ValueSource(booleans = {false, true})
  void everyDamageIsDetectedOrRecoveredToARealState(boolean encrypted) throws Exception {
    if (encrypted) {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256);
      key = generator.generateKey();
    }
    writeGallery();
    byte[] originalLog = Files.readAllBytes(logFile);
    byte[] originalSnapshot = Files.readAllBytes(snapshotFile);
    long lastRecordStart = recordEnds.get(recordEnds.size() - 2);
    Set<String> whole = history.get(history.size() - 1);
    Set<String> withoutLast = history.get(history.size() - 2);
    int detected = 0, recovered = 0, cases = 0;

    for (int offset = 0; offset < originalLog.length; offset++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] damaged = originalLog.clone();
        damaged[offset] ^= bit;
        Set<String> state = openAfter(logFile, damaged);
        cases++;
        if (state == null) {
          detected++;
        } else {
          assertThat(offset)
              .as("a flip at %s was not detected", offset)
              .isGreaterThanOrEqualTo((int) lastRecordStart);
          assertThat(state).as("flip at %s", offset).isEqualTo(withoutLast);
          recovered++;
        }
      }
    }
    for (int length = 0; length < originalLog.length; length++) {
      Set<String> state = openAfter(logFile, Arrays.copyOf(originalLog, length));
      cases++;
      if (state == null) {
        detected++;
        continue;
      }
      recovered++;
      int complete = 0;
      while (complete + 1 < recordEnds.size() && recordEnds.get(complete + 1) <= length) {
        complete++;
      }
      assertThat(state).as("log cut at %s", length).isEqualTo(history.get(complete));
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      byte[] garbage = new byte[1 + random.nextInt(trial % 2 == 0 ? 11 : 300)];
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = (byte) (trial % 5 == 0 ? 0 : random.nextInt(256));
      }
      byte[] appended = Arrays.copyOf(originalLog, originalLog.length + garbage.length);
      System.arraycopy(garbage, 0, appended, originalLog.length, garbage.length);
      Set<String> state = openAfter(logFile, appended);
      cases++;
      if (state == null) {
        detected++;
      } else {
        assertThat(state).as("garbage appended, trial %s", trial).isEqualTo(whole);
        recovered++;
      }
    }
    Files.write(logFile, originalLog);
    for (int offset = 0; offset < originalSnapshot.length; offset += 3) {
      byte[] damaged = originalSnapshot.clone();
      damaged[offset] ^= 0x04;
      cases++;
      assertThat(openAfter(snapshotFile, damaged)).as("snapshot flip at %s", offset).isNull();
      detected++;
    }
    Files.write(snapshotFile, originalSnapshot);
    try (Gallery intact = open()) {
      assertThat(intact.identities()).isEqualTo(whole);
    }
    String summary =
        String.format(
            Locale.ROOT,
            "%s: %d damaged galleries: %d reported as corrupt, %d "
                + "recovered to a state the gallery had, 0 wrong",
            encrypted ? "encrypted" : "plain",
            cases,
            detected,
            recovered);
    log.info(summary);
    Files.writeString(
        Path.of("target", "corruption-test-" + (encrypted ? "encrypted" : "plain") + ".txt"),
        summary + "\n");
  }

  /**
   * Writes {@code bytes} over {@code file}, opens the gallery: its identities, or null if refused.
   */
  private Set<String> openAfter(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    try (Gallery gallery = open()) {
      return new TreeSet<>(gallery.identities());
    } catch (GalleryFormatException e) {
      return null;
    }
  }
}
