package dev.semblance.onnx;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.NoFaceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** LFW pairs files ("View 1" format) and the scores an encoder gives them. */
final class LfwPairs {
  record Pair(Path first, Path second, boolean same) {}

  private static final Map<Path, Embedding> SHARED = Collections.synchronizedMap(new HashMap<>());

  private LfwPairs() {}

  static List<Pair> read(Path pairsFile, Path images) throws IOException {
    List<String> lines = Files.readAllLines(pairsFile);
    List<Pair> pairs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\t");
      if (f.length == 3) {
        pairs.add(new Pair(image(images, f[0], f[1]), image(images, f[0], f[2]), true));
      } else if (f.length == 4) {
        pairs.add(new Pair(image(images, f[0], f[1]), image(images, f[2], f[3]), false));
      } else if (!line.isBlank()) {
        throw new IOException("bad pairs line: " + line);
      }
    }
    return pairs;
  }

  private static Path image(Path images, String name, String number) {
    return images
        .resolve(name)
        .resolve(String.format(Locale.ROOT, "%s_%04d.jpg", name, Integer.parseInt(number)));
  }

  /**
   * Cosine similarity of each pair's main faces; -1 where a face was not found, so that such a pair
   * counts as "different".
   */
  static float[] scores(
      Encoder encoder, List<Pair> pairs, Map<Path, Embedding> cache, int[] noFace) {
    float[] scores = new float[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      Embedding a = embed(encoder, pairs.get(i).first(), cache, noFace);
      Embedding b = embed(encoder, pairs.get(i).second(), cache, noFace);
      scores[i] = a == null || b == null ? -1f : a.similarity(b);
    }
    return scores;
  }

  private static Embedding embed(
      Encoder encoder, Path image, Map<Path, Embedding> cache, int[] noFace) {
    if (cache.containsKey(image)) {
      return cache.get(image);
    }
    Embedding e;
    try {
      e = encoder.encodeMainFace(image).embedding();
    } catch (NoFaceException ex) {
      noFace[0]++;
      e = null;
    }
    cache.put(image, e);
    return e;
  }

  static boolean[] labels(List<Pair> pairs) {
    boolean[] same = new boolean[pairs.size()];
    for (int i = 0; i < same.length; i++) {
      same[i] = pairs.get(i).same();
    }
    return same;
  }

  /**
   * Main-face embeddings by image (null where no face was found), shared by the test classes of one
   * JVM so that LFW is encoded once.
   */
  static Map<Path, Embedding> sharedCache() {
    return SHARED;
  }

  /**
   * The main face of every image under {@code images}, in path order; images without one left out.
   */
  static Map<Path, Embedding> mainFaces(Encoder encoder, Path images) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(images)) {
      files = walk.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    Map<Path, Embedding> faces = new LinkedHashMap<>();
    int[] noFace = {0};
    for (Path file : files) {
      Embedding e = embed(encoder, file, SHARED, noFace);
      if (e != null) {
        faces.put(file, e);
      }
    }
    return faces;
  }
}
