package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceQuality;
import dev.semblance.Liveness;
import dev.semblance.Point;
import dev.semblance.SemblanceException;
import dev.semblance.io.DurableFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main face of each image with its quality components and liveness, kept in a tab-separated
 * file so that the quality and liveness evaluations encode each image once. Entries are keyed by
 * path; a file made by another embedder is ignored.
 */
final class QualityCache {
  /**
   * One image's main face: detector score, quality, liveness score, embedding, and the nose's
   * offset from the eyes' midpoint in half inter-ocular distances (landmark geometry, to check the
   * pose model's yaw against).
   */
  record Measured(
      float detectorScore,
      FaceQuality quality,
      float liveness,
      Embedding embedding,
      float noseOffset) {}

  private QualityCache() {}

  /** The main face of each image (absent: no face), encoding only images not in {@code file}. */
  static Map<Path, Measured> measure(Encoder encoder, List<Path> images, Path file) {
    Map<String, Measured> known = read(file, encoder.embedderId());
    Map<Path, Measured> result = new LinkedHashMap<>();
    Progress progress = new Progress("measuring", images.size());
    boolean changed = false;
    for (Path image : images) {
      String key = image.toString();
      if (!known.containsKey(key)) {
        known.put(key, measure(encoder, image));
        changed = true;
      }
      if (known.get(key) != null) {
        result.put(image, known.get(key));
      }
      progress.step(image.getFileName().toString());
    }
    if (changed) {
      write(file, encoder.embedderId(), known);
    }
    return result;
  }

  private static Measured measure(Encoder encoder, Path image) {
    try {
      Face face = encoder.encodeMainFace(image);
      Point left = face.landmarks().get(0), right = face.landmarks().get(1);
      Point nose = face.landmarks().get(2);
      float offset = (nose.x() - (left.x() + right.x()) / 2) / (Math.abs(right.x() - left.x()) / 2);
      return new Measured(
          face.score(),
          face.quality().orElseThrow(),
          face.liveness().map(Liveness::score).orElse(Float.NaN),
          face.embedding(),
          offset);
    } catch (SemblanceException e) {
      return null;
    }
  }

  /** The first line: the embedder and this file's layout, so that a stale file is not misread. */
  private static String header(String embedderId) {
    return embedderId + "\tquality-cache-v3";
  }

  private static Map<String, Measured> read(Path file, String embedderId) {
    Map<String, Measured> known = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return known;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      if (lines.isEmpty() || !lines.get(0).equals(header(embedderId))) {
        return known;
      }
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split("\t");
        if (f.length == 1) {
          known.put(f[0], null);
          continue;
        }
        float[] v = new float[f.length - 1];
        for (int i = 0; i < v.length; i++) {
          v[i] = Float.parseFloat(f[i + 1]);
        }
        int n = QualityColumns.NAMES.length;
        known.put(
            f[0],
            new Measured(
                v[0],
                QualityColumns.parse(v, 1),
                v[n + 1],
                Embedding.of(Arrays.copyOfRange(v, n + 3, v.length)),
                v[n + 2]));
      }
      return known;
    } catch (IOException | RuntimeException e) {
      System.err.println("ignoring unreadable cache " + file + ": " + e);
      return new LinkedHashMap<>();
    }
  }

  private static void write(Path file, String embedderId, Map<String, Measured> known) {
    DurableFiles.replace(
        file,
        stream -> {
          Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
          w.write(header(embedderId) + "\n");
          for (Map.Entry<String, Measured> e : known.entrySet()) {
            StringBuilder s = new StringBuilder(e.getKey());
            Measured m = e.getValue();
            if (m != null) {
              s.append('\t').append(m.detectorScore());
              for (float v : QualityColumns.values(m.quality())) {
                s.append('\t').append(v);
              }
              for (float v : new float[] {m.liveness(), m.noseOffset()}) {
                s.append('\t').append(v);
              }
              for (float v : m.embedding().toArray()) {
                s.append('\t').append(v);
              }
            }
            w.write(s.append('\n').toString());
          }
          w.flush();
        });
  }
}
