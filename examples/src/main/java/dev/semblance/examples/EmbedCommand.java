package dev.semblance.examples;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.SemblanceException;
import dev.semblance.io.DurableFiles;
import dev.semblance.io.EmbeddingTable;
import java.awt.image.BufferedImage;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
            List<String> columns = new ArrayList<>();
            if (analysis.quality) {
              columns.addAll(List.of(QualityColumns.NAMES));
            }
            if (analysis.liveness) {
              columns.addAll(List.of("liveness", "live"));
            }
            w.write(EmbeddingTable.header(columns, encoder.dimension()));
            Progress progress = new Progress("embedding", files.size());
            for (Path file : files) {
              try {
                BufferedImage image = encoder.readImage(file);
                List<Face> faces = encoder.encode(image);
                if (faces.isEmpty()) {
                  w.write(
                      EmbeddingTable.reasonRow(file.toString(), "no face found", columns.size()));
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
                w.write(EmbeddingTable.reasonRow(file.toString(), e.getMessage(), columns.size()));
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

  private static String row(Path file, int index, Face face) {
    Box b = face.box();
    List<String> analysis = new ArrayList<>();
    face.quality()
        .ifPresent(
            q -> {
              for (float v : QualityColumns.values(q)) {
                analysis.add(String.format(Locale.ROOT, "%.4f", v));
              }
            });
    face.liveness()
        .ifPresent(
            l -> {
              analysis.add(String.format(Locale.ROOT, "%.4f", l.score()));
              analysis.add(String.valueOf(l.live()));
            });
    return EmbeddingTable.faceRow(
        file.toString(),
        index,
        new float[] {b.left(), b.top(), b.right(), b.bottom()},
        face.score(),
        analysis,
        face.embedding().toArray());
  }
}
