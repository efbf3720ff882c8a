package dev.semblance.server.internal;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.ImageFaces;
import java.util.List;
import java.util.function.Supplier;

/**
 * The images of a request: decoded and encoded on the {@link InferencePool}, refused with the error
 * a client can act on.
 *
 * <p>Thread-safe.
 */
final class Images {
  private final Encoder encoder;
  private final InferencePool pool;

  Images(Encoder encoder, InferencePool pool) {
    this.encoder = encoder;
    this.pool = pool;
  }

  /** Decodes and encodes one image on the inference pool; 400 when it is not an image. */
  ImageFaces encode(byte[] image, String field) {
    return pool.run(() -> decoded(image, field));
  }

  /** {@link #encode} where the caller is on the pool already. */
  ImageFaces decoded(byte[] image, String field) {
    ImageFaces faces = encoder.encodeEach(List.of(image), List.of(field)).get(0);
    if (!faces.isReadable()) {
      throw ApiError.badRequest("invalid_image", faces.failure());
    }
    return faces;
  }

  /** Runs other model-sized work (a large search) on the pool. */
  <T> T onPool(Supplier<T> work) {
    return pool.run(work);
  }

  /** The largest central face; 422 when there is none. */
  static Face mainFace(ImageFaces image, String field) {
    int main = image.mainFaceIndex();
    if (main < 0) {
      throw new ApiError(422, "no_face", "no face found in image '" + field + "'");
    }
    return image.faces().get(main);
  }

  static Views.Size size(ImageFaces image) {
    return new Views.Size(image.width(), image.height());
  }
}
