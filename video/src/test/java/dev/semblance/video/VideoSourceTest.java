package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FFmpeg decoding of videos FFmpeg made: frames, sizes, times; damaged files refused clearly. */
class VideoSourceTest {
  @TempDir Path dir;

  private List<SyntheticVideo.Actor> oneActor() {
    Path amy = TestData.dir("tv-characters").resolve("amy/amy1.png");
    return List.of(
        new SyntheticVideo.Actor(
            "amy",
            SyntheticVideo.read(amy),
            120,
            new double[] {20, 40},
            new double[] {180, 60},
            0,
            49));
  }

  @Test
  void decodesEveryFrameOfEachContainerWithItsTime() throws Exception {
    for (String format : List.of("mp4", "webm", "avi", "mkv", "ts")) {
      Path video = dir.resolve("one." + format);
      SyntheticVideo.write(video, 320, 240, 25, 50, oneActor());
      try (VideoSource source = VideoSource.open(video.toString())) {
        assertThat(source.width()).isEqualTo(320);
        assertThat(source.height()).isEqualTo(240);
        assertThat(source.frameRate())
            .as(format)
            .isCloseTo(25, org.assertj.core.data.Offset.offset(0.01));
        int frames = 0;
        VideoFrame last = null;
        for (Optional<VideoFrame> frame = source.next(); frame.isPresent(); frame = source.next()) {
          frames++;
          last = frame.get();
          assertThat(last.index()).isEqualTo(frames - 1);
          assertThat(last.image().width()).isEqualTo(320);
        }
        assertThat(frames).as(format).isEqualTo(50);
        assertThat(last.time().toMillis()).as(format).isBetween(1900L, 2000L);
        assertThat(source.next()).isEmpty();
      }
    }
  }

  @Test
  void missingTruncatedAndCorruptFilesAreRefusedWithTheirReason() throws Exception {
    assertThatThrownBy(() -> VideoSource.open(dir.resolve("absent.mp4").toString()))
        .isInstanceOf(VideoException.class)
        .hasMessageContaining("absent.mp4")
        .hasMessageContaining("No such file");
    Path notVideo = dir.resolve("words.mp4");
    Files.writeString(notVideo, "this is not a video at all, only words ".repeat(50));
    assertThatThrownBy(() -> VideoSource.open(notVideo.toString()))
        .isInstanceOf(VideoException.class)
        .hasMessageContaining("words.mp4");

    Path video = dir.resolve("whole.mp4");
    SyntheticVideo.write(video, 320, 240, 25, 50, oneActor());
    byte[] bytes = Files.readAllBytes(video);
    Path truncated = dir.resolve("truncated.mp4"); // the index (moov) is at the end: cut off
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> VideoSource.open(truncated.toString()))
        .isInstanceOf(VideoException.class)
        .hasMessageContaining("truncated.mp4");

    // Damage in the middle of an AVI: frames are lost, the rest decodes, nothing crashes.
    Path avi = dir.resolve("whole.avi");
    SyntheticVideo.write(avi, 320, 240, 25, 50, oneActor());
    byte[] damaged = Files.readAllBytes(avi);
    for (int i = damaged.length / 3; i < damaged.length / 3 + 4000; i++) {
      damaged[i] = (byte) (i * 31);
    }
    Path corrupt = dir.resolve("corrupt.avi");
    Files.write(corrupt, damaged);
    int frames = 0;
    try (VideoSource source = VideoSource.open(corrupt.toString())) {
      while (source.next().isPresent()) {
        frames++;
      }
    }
    assertThat(frames).isBetween(25, 50);
  }
}
