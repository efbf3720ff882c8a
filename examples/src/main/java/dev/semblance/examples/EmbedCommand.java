package dev.semblance.examples;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.SemblanceException;
import dev.semblance.io.DurableFiles;
import java.awt.image.BufferedImage;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "embed",
    description = {
      "Write the normalised embedding of every face as tab-separated text.",
      "Columns: path, face, left, top, right, bottom, score, note; with --quality: quality,"
          + " inter_ocular_px, sharpness, brightness, contrast, yaw, pitch, roll, left_eye_open,"
          + " right_eye_open, embedding_norm; with --liveness: liveness, live; then e0, e1, ..."
          + " one per embedding component.",
      "Images without a usable face get one row with empty fields and the reason in 'note'."
    })
final class EmbedCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Image files or folders (walked recursively).")
  List<Path> paths;

  @Option(names = "--out", required = true, paramLabel = "FILE")
  Path out;

  @Option(
      names = "--one-per-image",
      description = "Only the main face (the largest face near the centre) of each image.")
  boolean onePerImage;

  @Mixin Cli.AnalysisOptions analysis;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Override
  public Integer call() {
    List<Path> files = Images.expand(paths);
    int[] counts = new int[2]; // face rows, images without a usable face
    try (Encoder encoder = encoderOptions.open(analysis.quality, analysis.liveness)) {
      DurableFiles.replace(
          out,
          stream -> {
            Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            StringBuilder header =
                new StringBuilder("path\tface\tleft\ttop\tright\tbottom\tscore\tnote");
            if (analysis.quality) {
              header.append('\t').append(String.join("\t", QualityColumns.NAMES));
            }
            if (analysis.liveness) {
              header.append("\tliveness\tlive");
            }
            String empty = "\t".repeat(analysisColumns());
            for (int i = 0; i < encoder.dimension(); i++) {
              header.append("\te").append(i);
            }
            w.write(header.append('\n').toString());
            Progress progress = new Progress("embedding", files.size());
            for (Path file : files) {
              try {
                BufferedImage image = encoder.readImage(file);
                List<Face> faces = encoder.encode(image);
                if (faces.isEmpty()) {
                  w.write(file + "\t\t\t\t\t\t\tno face found" + empty + "\n");
                  counts[1]++;
                } else if (onePerImage) {
                  int main = Encoder.mainFaceIndex(faces, image.getWidth(), image.getHeight());
                  w.write(row(file, main, faces.get(main)));
                  counts[0]++;
                } else {
                  for (int i = 0; i < faces.size(); i++) {
                    w.write(row(file, i, faces.get(i)));
                    counts[0]++;
                  }
                }
              } catch (SemblanceException e) {
                String reason = e.getMessage().replace('\t', ' ').replace('\n', ' ');
                w.write(file + "\t\t\t\t\t\t\t" + reason + empty + "\n");
                counts[1]++;
              }
              progress.step(file.getFileName().toString());
            }
            w.flush();
          });
    }
    System.err.printf(
        "wrote %d face rows from %d images (%d without a usable face) to %s%n",
        counts[0], files.size(), counts[1], out);
    return 0;
  }

  /** Columns between the note and the embedding. */
  private int analysisColumns() {
    return (analysis.quality ? QualityColumns.NAMES.length : 0) + (analysis.liveness ? 2 : 0);
  }

  private static String row(Path file, int index, Face face) {
    Box b = face.box();
    StringBuilder s = new StringBuilder(8 * 520);
    s.append(file).append('\t').append(index);
    for (float v : new float[] {b.left(), b.top(), b.right(), b.bottom(), face.score()}) {
      s.append('\t').append(String.format(Locale.ROOT, "%.2f", v));
    }
    s.append('\t');
    face.quality()
        .ifPresent(
            q -> {
              for (float v : QualityColumns.values(q)) {
                s.append('\t').append(String.format(Locale.ROOT, "%.4f", v));
              }
            });
    face.liveness()
        .ifPresent(l -> s.append(String.format(Locale.ROOT, "\t%.4f\t%b", l.score(), l.live())));
    for (float v : face.embedding().toArray()) {
      s.append('\t').append(v);
    }
    return s.append('\n').toString();
  }
}
