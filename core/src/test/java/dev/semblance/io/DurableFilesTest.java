package dev.semblance.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
  @TempDir Path dir;

  @Test
  void replacesTheWholeFileAndLeavesNothingBeside() throws IOException {
    Path file = dir.resolve("sub/folder/data.bin");
    DurableFiles.replace(file, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
    DurableFiles.replace(file, out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(file)).isEqualTo("second");
    assertThat(namesIn(file.getParent())).containsExactly("data.bin");
  }

  @Test
  void aFailureMidWriteKeepsTheOldFileAndRemovesTheTemporary() throws IOException {
    Path file = dir.resolve("data.bin");
    Files.writeString(file, "old content");
    byte[] big = new byte[1 << 20]; // past the write buffer, so bytes reach the temporary file
    assertThatThrownBy(
            () ->
                DurableFiles.replace(
                    file,
                    out -> {
                      out.write(big);
                      throw new IOException("disk full (injected)");
                    }))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("data.bin")
        .hasMessageContaining("disk full (injected)");
    assertThat(Files.readString(file)).isEqualTo("old content");
    assertThat(namesIn(dir)).containsExactly("data.bin");
  }

  @Test
  void aRuntimeFailureAlsoLeavesNoTemporary() throws IOException {
    Path file = dir.resolve("data.bin");
    assertThatThrownBy(
            () ->
                DurableFiles.replace(
                    file,
                    out -> {
                      out.write(1);
                      throw new IllegalStateException("bug in a writer (injected)");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(namesIn(dir)).isEmpty();
  }

  private static Stream<String> namesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }
}
