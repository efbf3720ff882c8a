package dev.semblance.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * An LFW pairs file: a header line ({@code N}, or {@code SETS N} for View 2's ten folds), then
 * {@code name i j} (same person) or {@code name1 i name2 j} (different people), tab-separated.
 * Image {@code i} of {@code name} is {@code DIR/name/name_000i.jpg}, or any image in {@code
 * DIR/name/} whose base name is {@code name_000i} or {@code name + i}.
 */
record PairsFile(List<Pair> pairs, int folds) {
  record Pair(Path first, Path second, boolean same, int fold) {}

  static PairsFile read(Path file, Path images) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pairs file " + file + ": " + e, e);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("pairs file is empty: " + file);
    }
    String[] header = lines.get(0).trim().split("\\s+");
    int sets = header.length == 2 ? Integer.parseInt(header[0]) : 1;
    int perKind = Integer.parseInt(header[header.length - 1]);
    List<Pair> pairs = new ArrayList<>();
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      int index = pairs.size();
      int fold = sets > 1 ? index / (2 * perKind) : -1;
      if (f.length == 3) {
        pairs.add(new Pair(image(images, f[0], f[1]), image(images, f[0], f[2]), true, fold));
      } else if (f.length == 4) {
        pairs.add(new Pair(image(images, f[0], f[1]), image(images, f[2], f[3]), false, fold));
      } else {
        throw new IllegalArgumentException(
            "line " + (n + 1) + " of " + file + " is not a pair: " + line);
      }
    }
    if (pairs.size() != 2 * sets * perKind) {
      throw new IllegalArgumentException(
          file + " declares " + 2 * sets * perKind + " pairs but holds " + pairs.size());
    }
    return new PairsFile(pairs, sets);
  }

  static Path image(Path images, String name, String number) {
    int i = Integer.parseInt(number);
    Path dir = images.resolve(name);
    Path lfw = dir.resolve(String.format(Locale.ROOT, "%s_%04d.jpg", name, i));
    if (Files.exists(lfw)) {
      return lfw;
    }
    List<String> wanted = List.of(String.format(Locale.ROOT, "%s_%04d", name, i), name + i);
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> wanted.contains(DetectCommand.baseName(p)))
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException("no image " + i + " of " + name + " in " + dir));
    } catch (IOException e) {
      throw new IllegalArgumentException("no images of " + name + " in " + dir, e);
    }
  }

  /** Every image the pairs name, once each, in the order they first appear. */
  List<Path> images() {
    return pairs.stream().flatMap(p -> Stream.of(p.first(), p.second())).distinct().toList();
  }
}
