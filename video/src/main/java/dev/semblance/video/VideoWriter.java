package dev.semblance.video;

import dev.semblance.RgbFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * Writes RGB frames into a video file with the FFmpeg program that ships with the FFmpeg presets:
 * H.264 (OpenH264) in {@code .mp4}, {@code .mkv}, {@code .ts}; VP8 in {@code .webm}; MPEG-4 part 2
 * in {@code .avi}. For annotated output and test videos; the frames go to the program's standard
 * input, so nothing but the finished file touches the disk.
 *
 * <p><b>Thread safety.</b> Not thread-safe: one thread writes the frames in order.
 */
public final class VideoWriter implements AutoCloseable {
  private final Path file;
  private final Path log;
  private final int width;
  private final int height;
  private final Process process;
  private final OutputStream frames;
  private boolean closed;

  private VideoWriter(Path file, Path log, int width, int height, Process process) {
    this.file = file;
    this.log = log;
    this.width = width;
    this.height = height;
    this.process = process;
    this.frames = process.getOutputStream();
  }

  /**
   * Starts a {@code width × height} video at {@code fps} frames per second; the codec follows the
   * file's extension.
   *
   * @throws IllegalArgumentException for an extension it does not know
   * @throws VideoException if FFmpeg cannot be started
   */
  public static VideoWriter open(Path file, int width, int height, double fps) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    List<String> codec;
    if (name.endsWith(".mp4") || name.endsWith(".mkv")) {
      codec = List.of("-c:v", "libopenh264", "-b:v", "4M");
    } else if (name.endsWith(".ts")) {
      codec = List.of("-c:v", "libopenh264", "-b:v", "4M", "-f", "mpegts");
    } else if (name.endsWith(".webm")) {
      codec = List.of("-c:v", "libvpx", "-b:v", "4M");
    } else if (name.endsWith(".avi")) {
      codec = List.of("-c:v", "mpeg4", "-q:v", "3");
    } else {
      throw new IllegalArgumentException(
          "cannot tell the video format of " + file + ": use .mp4, .mkv, .ts, .webm or .avi");
    }
    // Even sizes: the encoders' 4:2:0 chroma needs them.
    if (width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException("frame size must be even: " + width + "x" + height);
    }
    String program = program();
    List<String> command =
        new ArrayList<>(
            List.of(
                program,
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-s",
                width + "x" + height,
                "-r",
                String.valueOf(fps),
                "-i",
                "-",
                "-pix_fmt",
                "yuv420p"));
    command.addAll(codec);
    command.add(file.toString());
    if (Files.isExecutable(SETSID)) {
      // In a session of its own, FFmpeg does not get the Ctrl-C meant for this program, which
      // then finishes the file itself instead of finding it cut short.
      command.add(0, SETSID.toString());
    }
    try {
      Path log = Files.createTempFile("semblance-ffmpeg", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("LD_LIBRARY_PATH", Path.of(program).getParent().toString());
      return new VideoWriter(file, log, width, height, builder.start());
    } catch (IOException e) {
      throw new VideoException("cannot start FFmpeg to write " + file + ": " + e);
    }
  }

  /**
   * Appends a frame.
   *
   * @throws IllegalArgumentException if its size is not the video's
   * @throws VideoException if FFmpeg stopped (its message is in the exception)
   */
  public void write(RgbFrame frame) {
    if (frame.width() != width || frame.height() != height) {
      throw new IllegalArgumentException(
          "frame is "
              + frame.width()
              + "x"
              + frame.height()
              + ", the video "
              + width
              + "x"
              + height);
    }
    try {
      frames.write(frame.rgb());
    } catch (IOException e) {
      throw failure("FFmpeg stopped while writing " + file);
    }
  }

  /**
   * Finishes the file and waits for FFmpeg. Idempotent.
   *
   * @throws VideoException if FFmpeg failed
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      frames.close();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw failure("FFmpeg did not finish writing " + file);
      }
      if (process.exitValue() != 0) {
        throw failure("FFmpeg failed to write " + file);
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw failure("FFmpeg stopped while writing " + file);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new VideoException("interrupted while writing " + file);
    }
  }

  private VideoException failure(String what) {
    String said;
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      said = Files.readString(log, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      said = "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      said = "";
    }
    return new VideoException(what + (said.isEmpty() ? "" : ": " + said));
  }

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /**
   * The FFmpeg program of the presets. They ship libva under its unversioned name only and the
   * program asks for {@code libva.so.2}, so the link is made beside it once.
   */
  static String program() {
    String program = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
    Path dir = Path.of(program).getParent();
    for (String lib : List.of("libva", "libva-drm")) {
      Path versioned = dir.resolve(lib + ".so.2");
      if (!Files.exists(versioned) && Files.exists(dir.resolve(lib + ".so"))) {
        try {
          Files.createSymbolicLink(versioned, dir.resolve(lib + ".so"));
        } catch (FileAlreadyExistsException e) {
          // another process made it meanwhile
        } catch (IOException e) {
          throw new UncheckedIOException("cannot prepare FFmpeg in " + dir + ": " + e, e);
        }
      }
    }
    return program;
  }
}
