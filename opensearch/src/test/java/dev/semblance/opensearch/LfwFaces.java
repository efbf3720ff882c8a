package dev.semblance.opensearch;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Real faces for the gallery tests: the embeddings of lfw-dev people with several images (enrolled
 * from the first, probed with the rest) and of people with one image (strangers), encoded once per
 * JVM with the bundled models; and synthetic distractor templates built from them.
 */
final class LfwFaces {
  final String embedderId;
  final int dimension;

  /** Each person's embeddings, image order. */
  final Map<String, List<Embedding>> people;

  /** One embedding each of people not in {@link #people}. */
  final List<Embedding> strangers;

  /** The embeddings of yet other people (two images each), to build distractors from. */
  final List<Embedding> pool;

  private static LfwFaces loaded;

  private LfwFaces(
      String embedderId,
      int dimension,
      Map<String, List<Embedding>> people,
      List<Embedding> strangers,
      List<Embedding> pool) {
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.people = people;
    this.strangers = strangers;
    this.pool = pool;
  }

  /**
   * The first {@code count} people (by name) with at least three images and the first {@code count}
   * with exactly one; skips the test when lfw-dev is absent.
   */
  static synchronized LfwFaces load(int count) {
    if (loaded != null && loaded.people.size() >= count) {
      return loaded;
    }
    Path images = TestData.dir("lfw-dev/images");
    Map<String, List<Embedding>> people = new LinkedHashMap<>();
    List<Embedding> strangers = new ArrayList<>();
    List<Embedding> pool = new ArrayList<>();
    try (Encoder encoder = Encoder.builder().build();
        Stream<Path> dirs = Files.list(images).sorted()) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        List<Path> files = files(dir);
        if (files.size() >= 3 && people.size() < count) {
          List<Embedding> embeddings = new ArrayList<>();
          for (Path file : files) {
            embeddings.add(encoder.encodeMainFace(file).embedding());
          }
          people.put(dir.getFileName().toString(), embeddings);
        } else if (files.size() == 1 && strangers.size() < count) {
          strangers.add(encoder.encodeMainFace(files.get(0)).embedding());
        } else if (files.size() == 2 && pool.size() < 2 * count) {
          for (Path file : files) {
            pool.add(encoder.encodeMainFace(file).embedding());
          }
        }
        if (people.size() == count && strangers.size() == count && pool.size() == 2 * count) {
          break;
        }
      }
      loaded = new LfwFaces(encoder.embedderId(), encoder.dimension(), people, strangers, pool);
      return loaded;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  /**
   * {@code count} synthetic templates near real faces: the normalised sum of two embeddings of the
   * {@link #pool} plus Gaussian noise, so that they lie among faces rather than in random
   * directions (a random 512-d vector is far from every face and never competes), yet are built
   * from nobody enrolled or probed.
   */
  List<Embedding> distractors(int count, long seed) {
    List<Embedding> real = pool;
    Random random = new Random(seed);
    int d = real.get(0).dimension();
    List<Embedding> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] a = real.get(random.nextInt(real.size())).toArray();
      float[] b = real.get(random.nextInt(real.size())).toArray();
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = a[j] + b[j] + (float) (random.nextGaussian() * 1.2 / Math.sqrt(d));
      }
      out.add(Embedding.of(v));
    }
    return out;
  }
}
