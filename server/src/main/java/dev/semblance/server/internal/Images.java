package dev.semblance.server.internal;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.ImageFaces;
import java.util.List;

/**
 * The images of a request, decoded and encoded (on the {@link InferencePool}, where every handler
 * that calls this runs), refused with the error a client can act on.
 *
 * <p>Thread-safe.
 */
final class Images {
  private final Encoder encoder;

  Images(Encoder encoder) {
    this.encoder = encoder;
  }

  /** Decodes and encodes one image; 400 when it is not an image. */
  ImageFaces encode(byte[] image, String field) {
    ImageFaces faces = encoder.encodeEach(List.of(image), List.of(field)).get(0);
    if (!faces.isReadable()) {
      throw ApiError.badRequest("invalid_image", faces.failure());
    }
    return faces;
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
