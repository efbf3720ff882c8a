package dev.semblance;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of encoding one image of a batch ({@link Encoder#encodeEach}): its size and faces, or
 * why it could not be read.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param name the image's name, as given
 * @param width its width in pixels, upright (0 when it could not be read)
 * @param height its height in pixels, upright (0 when it could not be read)
 * @param faces every face, best detector score first; empty when none was found or on failure
 * @param failure why the image could not be read, or null when it was
 */
public record ImageFaces(String name, int width, int height, List<Face> faces, String failure) {
  public ImageFaces {
    Objects.requireNonNull(name, "name");
    faces = List.copyOf(faces);
  }

  static ImageFaces failed(String name, String failure) {
    return new ImageFaces(name, 0, 0, List.of(), Objects.requireNonNull(failure, "failure"));
  }

  /** Whether the image was decoded (it may still hold no face). */
  public boolean isReadable() {
    return failure == null;
  }

  /** The index in {@link #faces()} of the main face (the largest near the centre), or -1. */
  public int mainFaceIndex() {
    return Encoder.mainFaceIndex(faces, width, height);
  }
}
