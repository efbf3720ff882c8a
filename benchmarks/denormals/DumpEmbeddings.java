import dev.semblance.Encoder;
import dev.semblance.Face;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the main face's embedding and quality score of the first N LFW images (sorted by path),
 * for compare-outputs.sh: a length (0 for no face), the floats, then the score.
 *
 * <p>java -cp semblance-cli.jar DumpEmbeddings.java IMAGES N OUT
 */
public class DumpEmbeddings {
  public static void main(String[] args) throws Exception {
    List<Path> images;
    try (Stream<Path> files = Files.walk(Path.of(args[0]))) {
      images =
          files
              .filter(p -> p.toString().endsWith(".jpg"))
              .sorted()
              .limit(Integer.parseInt(args[1]))
              .toList();
    }
    try (Encoder encoder = Encoder.builder().quality(true).build();
        DataOutputStream out =
            new DataOutputStream(new BufferedOutputStream(new FileOutputStream(args[2])))) {
      long t0 = System.nanoTime();
      for (Path image : images) {
        Face face;
        try {
          face = encoder.encodeMainFace(image);
        } catch (RuntimeException noFace) {
          out.writeInt(0);
          continue;
        }
        float[] v = face.embedding().toArray();
        out.writeInt(v.length);
        for (float x : v) {
          out.writeFloat(x);
        }
        out.writeFloat(face.quality().orElseThrow().score());
      }
      System.out.printf("%d images in %.1f s%n", images.size(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
