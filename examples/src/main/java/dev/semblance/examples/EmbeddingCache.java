package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.SemblanceException;
import dev.semblance.io.DurableFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Main-face embeddings of image files, kept in a file between runs so that an evaluation run again
 * with other settings does not encode again. An entry is reused only while the image's size and
 * modification time are unchanged, and only for the same embedder.
 */
final class EmbeddingCache {
  private static final int FORMAT = 1;

  private record Entry(long size, long modified, float[] vector, String failure) {}

  private final Path file;
  private final String embedderId;
  private final Map<String, Entry> entries = new HashMap<>();
  private boolean dirty;

  EmbeddingCache(Path file, String embedderId) {
    this.file = file;
    this.embedderId = embedderId;
    if (file != null && Files.exists(file)) {
      load();
    }
  }

  /** Main-face embeddings of some images, by the encoder the options describe. */
  record Encoded(String embedderId, Map<Path, Embedding> embeddings, Map<Path, String> failures) {}

  /** Encodes the main face of each image, reusing and updating the cache file. */
  static Encoded encode(Cli.EncoderOptions options, Path cacheFile, List<Path> images) {
    Map<Path, String> failures = new LinkedHashMap<>();
    try (Encoder encoder = options.open()) {
      Map<Path, Embedding> embeddings =
          new EmbeddingCache(cacheFile, encoder.embedderId()).embedAll(encoder, images, failures);
      return new Encoded(encoder.embedderId(), embeddings, failures);
    }
  }

  /** The main face's embedding, or null with the reason in {@code failures}. */
  Map<Path, Embedding> embedAll(Encoder encoder, List<Path> images, Map<Path, String> failures) {
    Map<Path, Embedding> result = new HashMap<>();
    Progress progress = new Progress("encoding", images.size());
    for (Path image : images) {
      String key = image.toAbsolutePath().normalize().toString();
      long size;
      long modified;
      try {
        size = Files.size(image);
        modified = Files.getLastModifiedTime(image).toMillis();
      } catch (IOException e) {
        failures.put(image, "cannot read: " + e.getMessage());
        progress.step(image.getFileName().toString());
        continue;
      }
      Entry entry = entries.get(key);
      if (entry == null || entry.size() != size || entry.modified() != modified) {
        try {
          entry =
              new Entry(size, modified, encoder.encodeMainFace(image).embedding().toArray(), null);
        } catch (SemblanceException e) {
          entry = new Entry(size, modified, null, e.getMessage());
        }
        entries.put(key, entry);
        dirty = true;
      }
      if (entry.vector() != null) {
        result.put(image, Embedding.of(entry.vector()));
      } else {
        failures.put(image, entry.failure());
      }
      progress.step(image.getFileName().toString());
    }
    save();
    return result;
  }

  private void load() {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != FORMAT || !in.readUTF().equals(embedderId)) {
        return; // another format or embedder: start afresh
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String key = in.readUTF();
        long size = in.readLong();
        long modified = in.readLong();
        int dim = in.readInt();
        float[] v = null;
        String failure = null;
        if (dim > 0) {
          v = new float[dim];
          for (int k = 0; k < dim; k++) {
            v[k] = in.readFloat();
          }
        } else {
          failure = in.readUTF();
        }
        entries.put(key, new Entry(size, modified, v, failure));
      }
    } catch (IOException e) {
      System.err.println("ignoring unreadable embedding cache " + file + ": " + e.getMessage());
      entries.clear();
    }
  }

  private void save() {
    if (file == null || !dirty) {
      return;
    }
    DurableFiles.replace(
        file,
        stream -> {
          DataOutputStream out = new DataOutputStream(stream);
          out.writeInt(FORMAT);
          out.writeUTF(embedderId);
          out.writeInt(entries.size());
          for (Map.Entry<String, Entry> e : entries.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().size());
            out.writeLong(e.getValue().modified());
            float[] v = e.getValue().vector();
            out.writeInt(v == null ? 0 : v.length);
            if (v == null) {
              out.writeUTF(e.getValue().failure());
            } else {
              for (float x : v) {
                out.writeFloat(x);
              }
            }
          }
          out.flush();
        });
    dirty = false;
  }
}
