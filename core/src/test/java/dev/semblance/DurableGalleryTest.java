package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Galleries opened from a directory: replay, locking, compaction and erasure, damage. */
class DurableGalleryTest {
  private static final int DIM = 32;
  static final int DIM_FOR_CHILD = DIM;
  @TempDir Path dir;

  static Embedding unit(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }

  static Gallery open(Path directory) {
    return Gallery.directory(directory)
        .embedder("test", DIM)
        .durability(Durability.EVERY_OPERATION)
        .open();
  }

  /** Identity → its templates, as the gallery answers for them. */
  static Map<String, List<Float>> state(Gallery gallery) {
    Map<String, List<Float>> state = new TreeMap<>();
    for (String name : gallery.identities()) {
      List<Float> scores = new ArrayList<>();
      for (long probe = 0; probe < 3; probe++) {
        scores.add(gallery.similarityTo(name, unit(1000 + probe)));
      }
      state.put(name, scores);
    }
    return state;
  }

  @Test
  void everyChangeSurvivesReopeningAndCompaction() {
    Map<String, List<Float>> expected;
    try (Gallery gallery = open(dir)) {
      for (int i = 0; i < 50; i++) {
        gallery.enroll("p" + i, unit(i));
      }
      gallery.enroll("p3", unit(333)); // a second template
      gallery.remove("p7");
      gallery.setThreshold(0.42f);
      expected = state(gallery);
    }
    try (Gallery reopened = open(dir)) {
      assertThat(state(reopened)).isEqualTo(expected);
      assertThat(reopened.threshold()).isEqualTo(0.42f);
      reopened.compact();
      reopened.enroll("late", unit(77));
      expected.put("late", null);
    }
    try (Gallery again = open(dir)) {
      assertThat(again.identities()).containsExactlyElementsOf(expected.keySet());
      assertThat(again.threshold()).isEqualTo(0.42f);
    }
  }

  @Test
  void manyIdentitiesEnrolledAtOnceSurviveReopening() {
    Map<String, List<Embedding>> batch = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      batch.put("b" + i, List.of(unit(i), unit(100 + i)));
    }
    Map<String, List<Float>> expected;
    try (Gallery gallery = open(dir)) {
      gallery.enroll("b3", unit(999));
      gallery.enrollAll(batch);
      assertThat(gallery.templateCount()).isEqualTo(41);
      Map<String, List<Embedding>> bad = new java.util.LinkedHashMap<>();
      bad.put("fine", List.of(unit(1)));
      bad.put("bad\u0007name", List.of(unit(2)));
      assertThatThrownBy(() -> gallery.enrollAll(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("control characters");
      assertThat(gallery.contains("fine")).as("nothing added from a refused batch").isFalse();
      expected = state(gallery);
    }
    try (Gallery reopened = open(dir)) {
      assertThat(state(reopened)).isEqualTo(expected);
      assertThat(reopened.templates("b3")).hasSize(3);
    }
  }

  @Test
  void oneWriterAtATime() {
    try (Gallery first = open(dir)) {
      assertThatThrownBy(() -> open(dir))
          .isInstanceOf(GalleryLockedException.class)
          .hasMessageContaining("already open");
      first.enroll("a", unit(1));
    }
    try (Gallery second = open(dir)) {
      assertThat(second.identities()).containsExactly("a");
    }
  }

  @Test
  void anotherEmbeddersDirectoryIsRefused() {
    try (Gallery gallery = open(dir)) {
      gallery.enroll("a", unit(1));
    }
    assertThatThrownBy(
            () ->
                Gallery.directory(dir)
                    .embedder("other-model", DIM)
                    .durability(Durability.GROUP_COMMIT)
                    .open())
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("must not be mixed");
    assertThatThrownBy(
            () ->
                Gallery.directory(dir)
                    .embedder("test", DIM + 1)
                    .durability(Durability.GROUP_COMMIT)
                    .open())
        .isInstanceOf(GalleryFormatException.class);
    try (Gallery gallery = open(dir)) { // and nothing was harmed
      assertThat(gallery.identities()).containsExactly("a");
    }
  }

  @Test
  void renamesAndRemovedTemplatesSurviveReopeningAndCompaction() throws IOException {
    Embedding dropped = unit(51);
    try (Gallery gallery = open(dir)) {
      gallery.enroll("Ann", unit(50), dropped, unit(52));
      gallery.enroll("Ben", unit(60));
      gallery.rename("Ann", "Anne Marie");
      assertThat(gallery.removeTemplate("Anne Marie", gallery.templates("Anne Marie").get(1)))
          .isTrue();
      assertThat(gallery.removeTemplate("Anne Marie", dropped)).as("already gone").isFalse();
      assertThat(gallery.removeTemplate("Ben", unit(60))).as("the last template").isTrue();
      assertThatThrownBy(() -> gallery.rename("Anne Marie", "Anne Marie"))
          .hasMessageContaining("already enrolled");
      assertThatThrownBy(() -> gallery.rename("Ben", "B"))
          .hasMessageContaining("not enrolled: 'Ben'");
    }
    try (Gallery gallery = open(dir)) {
      assertThat(gallery.identities()).containsExactly("Anne Marie");
      assertThat(gallery.templates("Anne Marie")).hasSize(2);
      assertThat(gallery.similarityTo("Anne Marie", dropped)).isLessThan(0.9f);
      assertThat(gallery.similarityTo("Anne Marie", unit(52))).isGreaterThan(0.999f);
      gallery.compact();
    }
    assertThat(containsAnywhere(dir, Arrays.copyOf(floatBytes(dropped.toArray()), 16))).isFalse();
    assertThat(containsAnywhere(dir, "Ann\0".getBytes(StandardCharsets.UTF_8))).isFalse();
    try (Gallery gallery = open(dir)) {
      assertThat(gallery.identities()).containsExactly("Anne Marie");
    }
  }

  @Test
  void afterCompactionARemovedPersonLeavesNoTraceOnDisk() throws IOException {
    Embedding secret = unit(4242);
    try (Gallery gallery = open(dir)) {
      gallery.enroll("Zelda Secretperson", secret);
      gallery.enroll("bob", unit(2));
      gallery.compact();
      gallery.remove("Zelda Secretperson");
      assertThat(containsAnywhere(dir, "Zelda Secretperson".getBytes(StandardCharsets.UTF_8)))
          .as("the log still records the enrolment before compaction")
          .isTrue();
      gallery.compact();
    }
    byte[] templateBytes = floatBytes(secret.toArray());
    assertThat(containsAnywhere(dir, "Zelda Secretperson".getBytes(StandardCharsets.UTF_8)))
        .isFalse();
    assertThat(containsAnywhere(dir, Arrays.copyOf(templateBytes, 16))).isFalse();
    try (Gallery gallery = open(dir)) {
      assertThat(gallery.identities()).containsExactly("bob");
    }
  }

  @Test
  void aTornLastRecordIsCutOffAndEarlierOnesKept() throws IOException {
    try (Gallery gallery = open(dir)) {
      gallery.enroll("a", unit(1));
      gallery.enroll("b", unit(2));
    }
    Path log = onlyLog(dir);
    long size = Files.size(log);
    try (var channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.truncate(size - 5); // the crash tore "b"'s record
    }
    try (Gallery gallery = open(dir)) {
      assertThat(gallery.identities()).containsExactly("a");
      gallery.enroll("c", unit(3)); // the log goes on after the cut
    }
    try (Gallery gallery = open(dir)) {
      assertThat(gallery.identities()).containsExactly("a", "c");
    }
  }

  @Test
  void damageBeforeTheLastRecordIsReportedNotSkipped() throws IOException {
    try (Gallery gallery = open(dir)) {
      for (int i = 0; i < 5; i++) {
        gallery.enroll("p" + i, unit(i));
      }
    }
    Path log = onlyLog(dir);
    byte[] bytes = Files.readAllBytes(log);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(log, bytes);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining(log.getFileName().toString());
  }

  @Test
  void anEncryptedDirectoryHidesNamesAndTemplatesAndNeedsItsKey() throws Exception {
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(256);
    SecretKey key = generator.generateKey(), otherKey = generator.generateKey();
    Embedding secret = unit(4242);
    try (Gallery gallery = openEncrypted(dir, key)) {
      gallery.enroll("Zelda Secretperson", secret);
      gallery.compact(); // into the snapshot
      gallery.enroll("Yannick Hiddenname", unit(5)); // and into the log
      gallery.setThreshold(0.5f);
    }
    for (String name : new String[] {"Zelda Secretperson", "Yannick Hiddenname"}) {
      assertThat(containsAnywhere(dir, name.getBytes(StandardCharsets.UTF_8))).as(name).isFalse();
    }
    assertThat(containsAnywhere(dir, Arrays.copyOf(floatBytes(secret.toArray()), 12))).isFalse();
    try (Gallery gallery = openEncrypted(dir, key)) {
      assertThat(gallery.identities()).containsExactly("Yannick Hiddenname", "Zelda Secretperson");
      assertThat(gallery.similarityTo("Zelda Secretperson", secret)).isGreaterThan(0.9999f);
      assertThat(gallery.threshold()).isEqualTo(0.5f);
    }
    assertThatThrownBy(() -> openEncrypted(dir, otherKey))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("wrong key");
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("is encrypted");
    assertThatThrownBy(() -> openEncrypted(dir, new SecretKeySpec(new byte[7], "AES")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AES key");

    // An altered record whose checksum was fixed up still fails its tag: reported, not skipped.
    Path log = onlyLog(dir);
    byte[] bytes = Files.readAllBytes(log);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int second =
        12 + 12 + buffer.getInt(12); // after the magic, version, flags and the header record
    int length = buffer.getInt(second);
    bytes[second + 12 + length / 2] ^= 1;
    CRC32C crc = new CRC32C();
    crc.update(bytes, second + 12, length);
    buffer.putInt(second + 8, (int) crc.getValue());
    byte[] tampered = bytes.clone();
    Files.write(log, tampered);
    assertThatThrownBy(() -> openEncrypted(dir, key))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("altered");
  }

  @Test
  void aPlainDirectoryRefusesAKey() throws Exception {
    try (Gallery gallery = open(dir)) {
      gallery.enroll("a", unit(1));
    }
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(128);
    SecretKey key = generator.generateKey();
    assertThatThrownBy(() -> openEncrypted(dir, key))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("not encrypted");
  }

  static Gallery openEncrypted(Path directory, SecretKey key) {
    return Gallery.directory(directory)
        .embedder("test", DIM)
        .durability(Durability.EVERY_OPERATION)
        .encryptionKey(key)
        .open();
  }

  static Path onlyLog(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("log-"))
          .findFirst()
          .orElseThrow();
    }
  }

  static byte[] floatBytes(float[] v) {
    ByteBuffer buffer = ByteBuffer.allocate(v.length * 4);
    buffer.asFloatBuffer().put(v);
    return buffer.array();
  }

  static boolean containsAnywhere(Path directory, byte[] needle) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        byte[] hay = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
          for (int j = 0; j < needle.length; j++) {
            if (hay[i + j] != needle[j]) {
              continue outer;
            }
          }
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void keyFilesHoldRawOrBase64AesKeysAndOthersAreRefusedByName(@TempDir Path keys)
      throws IOException {
    byte[] raw = new byte[32];
    new SplittableRandom(7).nextBytes(raw);
    Path rawFile = Files.write(keys.resolve("raw.key"), raw);
    Path base64File =
        Files.writeString(
            keys.resolve("b64.key"), java.util.Base64.getEncoder().encodeToString(raw) + "\n");
    assertThat(GalleryDirectory.readKey(rawFile).getEncoded()).isEqualTo(raw);
    assertThat(GalleryDirectory.readKey(base64File).getEncoded()).isEqualTo(raw);
    assertThat(GalleryDirectory.key(Arrays.copyOf(raw, 16), "k").getAlgorithm()).isEqualTo("AES");
    assertThatThrownBy(
            () -> GalleryDirectory.key("c2hvcnQ=".getBytes(StandardCharsets.US_ASCII), "$KEY"))
        .hasMessage("$KEY holds a 40-bit key; AES takes 128, 192 or 256");
    assertThatThrownBy(
            () -> GalleryDirectory.key("not base64!".getBytes(StandardCharsets.US_ASCII), "$KEY"))
        .hasMessage("$KEY holds neither 16, 24 or 32 raw bytes nor Base64 of them");
    assertThatThrownBy(() -> GalleryDirectory.readKey(keys.resolve("missing.key")))
        .hasMessageContaining("cannot read key file");
  }
}
