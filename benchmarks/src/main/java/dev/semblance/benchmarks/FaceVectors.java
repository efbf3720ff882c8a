package dev.semblance.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Face-like vectors for the graph benchmarks: real embeddings from a {@code semblance embed} table
 * and distractors built from them.
 *
 * <p>Thread safety: stateless.
 */
final class FaceVectors {
  private FaceVectors() {}

  /** Each person's embeddings (the image's folder is the person), people in name order. */
  static Map<String, List<float[]>> read(Path tsv) throws IOException {
    Map<String, List<float[]>> people = new TreeMap<>();
    try (BufferedReader in = Files.newBufferedReader(tsv)) {
      int first = Arrays.asList(in.readLine().split("\t")).indexOf("e0");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split("\t", -1);
        if (f.length <= first || f[first].isEmpty()) {
          continue; // an image without a usable face
        }
        float[] v = new float[f.length - first];
        for (int i = 0; i < v.length; i++) {
          v[i] = Float.parseFloat(f[first + i]);
        }
        String person = Path.of(f[0]).getParent().getFileName().toString();
        people.computeIfAbsent(person, p -> new ArrayList<>()).add(v);
      }
    }
    return people;
  }

  /**
   * A unit vector near real faces but nobody's: the normalised sum of two of {@code pool} plus
   * Gaussian noise, as the OpenSearch benchmark makes them (a random 512-d vector is far from every
   * face and never competes).
   */
  static float[] distractor(List<float[]> pool, Random random) {
    float[] a = pool.get(random.nextInt(pool.size())), b = pool.get(random.nextInt(pool.size()));
    float[] v = new float[a.length];
    double norm = 0;
    for (int j = 0; j < v.length; j++) {
      v[j] = a[j] + b[j] + (float) (random.nextGaussian() * 1.2 / Math.sqrt(v.length));
      norm += v[j] * v[j];
    }
    for (int j = 0; j < v.length; j++) {
      v[j] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /**
   * {@code count} rows of a little-endian float32 file of {@code d}-d rows, from row {@code from}.
   */
  static FloatBuffer readRows(FileChannel file, int d, int from, int count) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(count * d * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (long at = (long) from * d * 4; bytes.hasRemaining(); ) {
      if (file.read(bytes, at + bytes.position()) < 0) {
        throw new IOException("the file ends before row " + (from + count));
      }
    }
    return bytes.flip().asFloatBuffer();
  }

  /** Which half of the people a person is in: parameters are chosen on 0 and reported on 1. */
  static int half(String person) {
    return Math.floorMod(person.hashCode(), 2);
  }
}
