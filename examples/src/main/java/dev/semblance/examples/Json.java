package dev.semblance.examples;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.semblance.Box;
import dev.semblance.Face;
import dev.semblance.FaceQuality;
import java.util.List;
import java.util.stream.IntStream;

/** JSON output for {@code --json}. */
final class Json {
  /** Record components in snake_case, as every key of the CLI's JSON. */
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .registerModule(new Jdk8Module());

  private Json() {}

  /** One value on one line, for JSON Lines streams such as {@code watch --json}. */
  static String line(Object value) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A face as JSON shows it: box as [left, top, right, bottom], landmarks as [x, y] pairs; quality
   * and liveness only when measured.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FaceJson(
      int index,
      float[] box,
      float score,
      float[][] landmarks,
      FaceQuality quality,
      LivenessJson liveness) {
    static FaceJson of(int index, Face f) {
      Box b = f.box();
      float[][] points =
          f.landmarks().stream().map(p -> new float[] {p.x(), p.y()}).toArray(float[][]::new);
      return new FaceJson(
          index,
          new float[] {b.left(), b.top(), b.right(), b.bottom()},
          f.score(),
          points,
          f.quality().orElse(null),
          f.liveness().map(l -> new LivenessJson(l.score(), l.threshold(), l.live())).orElse(null));
    }
  }

  /** A face's liveness with its decision. */
  record LivenessJson(float score, float threshold, boolean live) {}

  static List<FaceJson> faces(List<Face> faces) {
    return IntStream.range(0, faces.size()).mapToObj(i -> FaceJson.of(i, faces.get(i))).toList();
  }
}
