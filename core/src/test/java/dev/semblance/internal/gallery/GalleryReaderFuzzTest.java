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
            new ByteArrayInputStream(bytes),
            bytes.length,
            "fuzz log",
            1,
            null,
            header -> {},
            change -> {});
      } else {
        GalleryCodec.read(
            new ByteArrayInputStream(bytes), "fuzz snapshot", null, header -> change -> {});
      }
    } catch (GalleryFormatException expected) {
      // the defined answer to a damaged file
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading memory never fails: a finding
    }
  }
}
