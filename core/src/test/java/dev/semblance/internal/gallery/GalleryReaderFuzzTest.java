package dev.semblance.internal.gallery;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.semblance.GalleryFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Coverage-guided fuzzing of the gallery file readers, snapshot and log: any bytes must be read or
 * refused with a {@link GalleryFormatException}; any other exception, an OutOfMemoryError or a hang
 * is a finding. See {@link ImageDecoderFuzzTest} for how to run it.
 */
class GalleryReaderFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void readsOrRefusesClearly(FuzzedDataProvider input) {
    boolean log = input.consumeBoolean();
    byte[] bytes = input.consumeRemainingAsBytes();
    try {
      if (log) {
        GalleryCodec.readLog(
            new ByteArrayInputStream(bytes), bytes.length, "fuzz log", 1, null, new Ignore());
      } else {
        GalleryCodec.read(new ByteArrayInputStream(bytes), "fuzz snapshot", new Ignore());
      }
    } catch (GalleryFormatException expected) {
      // the defined answer to a damaged file
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading memory never fails: a finding
    }
  }

  private static final class Ignore implements GalleryCodec.Sink, GalleryCodec.LogSink {
    @Override
    public void header(String embedderId, int dimension, float threshold, double targetFpir) {}

    @Override
    public void logHeader(String embedderId, int dimension, long generation) {}

    @Override
    public void enroll(String identity, float[][] templates) {}

    @Override
    public void remove(String identity) {}

    @Override
    public void rename(String from, String to) {}

    @Override
    public void removeTemplate(String identity, float[] template) {}

    @Override
    public void settings(float threshold, double targetFpir) {}
  }
}
