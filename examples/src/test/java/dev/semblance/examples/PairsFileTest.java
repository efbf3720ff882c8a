package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {
  @TempDir Path dir;

  private Path images() throws IOException {
    Path images = dir.resolve("images");
    for (String name : List.of("Ann_Lee", "Bo")) {
      Files.createDirectories(images.resolve(name));
      for (int i = 1; i <= 3; i++) {
        Files.writeString(images.resolve(name).resolve(name + "_000" + i + ".jpg"), "x");
      }
    }
    Files.writeString(images.resolve("Bo").resolve("Bo7.png"), "x"); // non-LFW naming
    return images;
  }

  @Test
  void readsViewTwoFoldsFromTheHeader() throws IOException {
    Path file = dir.resolve("pairs.txt");
    Files.write(
        file,
        List.of("2\t1", "Ann_Lee\t1\t2", "Ann_Lee\t1\tBo\t1", "Bo\t1\t3", "Bo\t2\tAnn_Lee\t3"));
    PairsFile pairs = PairsFile.read(file, images());
    assertThat(pairs.folds()).isEqualTo(2);
    assertThat(pairs.pairs()).extracting(PairsFile.Pair::fold).containsExactly(0, 0, 1, 1);
    assertThat(pairs.pairs())
        .extracting(PairsFile.Pair::same)
        .containsExactly(true, false, true, false);
    assertThat(pairs.pairs().get(1).second().getFileName().toString()).isEqualTo("Bo_0001.jpg");
    assertThat(pairs.images()).hasSize(6);
  }

  @Test
  void readsViewOneAndOtherImageNames() throws IOException {
    Path file = dir.resolve("pairs.txt");
    Files.write(file, List.of("1", "Bo\t7\t2", "Ann_Lee\t3\tBo\t7"));
    PairsFile pairs = PairsFile.read(file, images());
    assertThat(pairs.folds()).isEqualTo(1);
    assertThat(pairs.pairs().get(0).first().getFileName().toString()).isEqualTo("Bo7.png");
  }

  @Test
  void refusesMalformedFiles() throws IOException {
    Path file = dir.resolve("pairs.txt");
    Path images = images();
    Files.write(file, List.of("2", "Bo\t1\t2"));
    assertThatThrownBy(() -> PairsFile.read(file, images))
        .hasMessageContaining("declares 4 pairs but holds 1");
    Files.write(file, List.of("1", "Bo\t1", "Bo\t1\tAnn_Lee\t1"));
    assertThatThrownBy(() -> PairsFile.read(file, images)).hasMessageContaining("is not a pair");
    Files.write(file, List.of("1", "Bo\t1\t9", "Bo\t1\tAnn_Lee\t1"));
    assertThatThrownBy(() -> PairsFile.read(file, images)).hasMessageContaining("no image 9 of Bo");
  }
}
