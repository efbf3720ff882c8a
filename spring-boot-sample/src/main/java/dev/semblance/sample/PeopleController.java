package dev.semblance.sample;

import dev.semblance.Box;
import dev.semblance.Candidate;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceRejectedException;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.ImageFaces;
import dev.semblance.InvalidImageException;
import dev.semblance.QualityPolicy;
import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Enrols a person from the main face of a photo (the largest near its centre), and names every face
 * of a photo or says it is unknown: {@code POST /people/{name}}, {@code DELETE /people/{name}},
 * {@code POST /people/recognize}, each photo a multipart field {@code photo}.
 *
 * <p><b>Thread safety.</b> Safe for concurrent requests: the encoder and the gallery are.
 */
@RestController
@RequestMapping("/people")
class PeopleController {
  private final Encoder encoder;
  private final Gallery gallery;
  private final QualityPolicy policy;

  PeopleController(Encoder encoder, Gallery gallery, QualityPolicy policy) {
    this.encoder = encoder;
    this.gallery = gallery;
    this.policy = policy;
  }

  /** What was enrolled. */
  record Enrolled(String name, int templates) {}

  /** A face found in a photo: its box, and the name of who it is or null. */
  record Recognised(Box box, String name, float similarity) {}

  /** Why a request was refused. */
  record Problem(String error, List<String> reasons) {}

  @PostMapping("/{name}")
  ResponseEntity<Enrolled> enrol(@PathVariable String name, @RequestParam MultipartFile photo)
      throws IOException {
    ImageFaces image = encoder.encodeEach(List.of(photo.getBytes()), List.of("the photo")).get(0);
    if (!image.isReadable()) {
      throw new IllegalArgumentException(image.failure());
    }
    int main = Encoder.mainFaceIndex(image.faces(), image.width(), image.height());
    if (main < 0) {
      throw new IllegalArgumentException("no face found in the photo");
    }
    Face face = image.faces().get(main);
    if (encoder.measuresQuality()) {
      gallery.enroll(name, List.of(face), policy);
    } else {
      gallery.enroll(name, face.embedding());
    }
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(new Enrolled(name, gallery.templates(name).size()));
  }

  @DeleteMapping("/{name}")
  ResponseEntity<Void> remove(@PathVariable String name) {
    return gallery.remove(name)
        ? ResponseEntity.noContent().build()
        : ResponseEntity.notFound().build();
  }

  @PostMapping("/recognize")
  List<Recognised> recognize(@RequestParam MultipartFile photo) throws IOException {
    List<Face> faces = encoder.encode(photo.getBytes());
    List<Identification> answers =
        gallery.identifyAll(faces.stream().map(Face::embedding).toList(), 1);
    return IntStream.range(0, faces.size())
        .mapToObj(
            i -> {
              Identification answer = answers.get(i);
              float similarity =
                  answer.candidates().isEmpty() ? -1 : answer.candidates().get(0).similarity();
              return new Recognised(
                  faces.get(i).box(),
                  answer.match().map(Candidate::identity).orElse(null),
                  similarity);
            })
        .toList();
  }

  @ExceptionHandler(FaceRejectedException.class)
  ResponseEntity<Problem> refused(FaceRejectedException e) {
    return ResponseEntity.unprocessableEntity().body(new Problem(e.getMessage(), e.reasons()));
  }

  @ExceptionHandler({InvalidImageException.class, IllegalArgumentException.class})
  ResponseEntity<Problem> badRequest(RuntimeException e) {
    return ResponseEntity.badRequest().body(new Problem(e.getMessage(), List.of()));
  }
}
