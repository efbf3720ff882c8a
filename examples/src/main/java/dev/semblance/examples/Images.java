package dev.semblance.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Finds image files: arguments that are directories are walked recursively. */
final class Images {
  private Images() {}

  static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jpg")
        || n.endsWith(".jpeg")
        || n.endsWith(".png")
        || n.endsWith(".bmp")
        || n.endsWith(".gif");
  }

  static List<Path> expand(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p, FileVisitOption.FOLLOW_LINKS)) {
          walk.filter(Files::isRegularFile).filter(Images::isImage).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + p + ": " + e, e);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  /** One entry per sub-folder of {@code dir} that holds images: folder name → its images. */
  static Map<String, List<Path>> peopleIn(Path dir) {
    Map<String, List<Path>> people = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path sub : list.filter(Files::isDirectory).sorted().toList()) {
        List<Path> images = expand(List.of(sub));
        if (!images.isEmpty()) {
          people.put(sub.getFileName().toString(), images);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e, e);
    }
    if (people.isEmpty()) {
      throw new IllegalArgumentException("no sub-folders with images in " + dir);
    }
    return people;
  }
}
