package dev.semblance.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.semblance.testing.TestData;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample service over real HTTP on a random port, on the bundled models: people of the
 * tv-characters set enrolled from one photo each, their other photos and a group photo recognised,
 * strangers from LFW unknown, bad photos refused with the reason, and Semblance's health component
 * and meters in actuator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTest {
  private static final Logger log = LoggerFactory.getLogger(SampleApplicationTest.class);
  private static final List<String> PEOPLE =
      List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart");

  @TempDir static Path temp;

  @DynamicPropertySource
  static void gallery(DynamicPropertyRegistry properties) {
    properties.add("semblance.gallery.directory", () -> temp.resolve("gallery").toString());
  }

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private static Path photo(String person, int n) {
    return TestData.dir("tv-characters").resolve(person + "/" + person + n + ".png");
  }

  @Test
  void enrolsRecognisesRefusesAndReportsOverHttp() throws Exception {
    int encoded = 0;
    for (String person : PEOPLE) {
      HttpResponse<String> enrolled =
          post("/people/" + person, Files.readAllBytes(photo(person, 1)));
      encoded++;
      assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(201);
      assertThat(enrolled.body()).contains("\"templates\":1");
    }

    // The other four photos of each: never a wrong name.
    int right = 0;
    int identified = 0;
    for (String person : PEOPLE) {
      for (int n = 2; n <= 5; n++) {
        List<String> names = JsonPath.read(recognise(photo(person, n)), "$[*].name");
        encoded++;
        identified += names.size();
        assertThat(names.get(0)).as("%s%s", person, n).isIn(person, null);
        right += person.equals(names.get(0)) ? 1 : 0;
      }
    }
    assertThat(right).as("photos named right of 32").isGreaterThanOrEqualTo(30);

    // bbt3: Sheldon, Howard, Penny, Raj and Leonard, from left to right.
    String group = recognise(TestData.dir("tv-characters/group-photos").resolve("bbt3.jpg"));
    encoded++;
    List<Map<String, Object>> faces = JsonPath.read(group, "$[*]");
    identified += faces.size();
    assertThat(
            faces.stream()
                .sorted(Comparator.comparingDouble(f -> JsonPath.read(f, "$.box.left")))
                .map(f -> (String) f.get("name"))
                .toList())
        .containsExactly("sheldon", "howard", "penny", "raj", "leonard");

    // Strangers: the first photo of 200 LFW people, none of them enrolled.
    int strangerFaces = 0;
    int named = 0;
    try (Stream<Path> people = Files.list(TestData.dir("lfw-dev/images"))) {
      for (Path person : people.sorted().limit(200).toList()) {
        try (Stream<Path> images = Files.list(person)) {
          List<String> names =
              JsonPath.read(recognise(images.sorted().findFirst().orElseThrow()), "$[*].name");
          encoded++;
          identified += names.size();
          strangerFaces += names.size();
          named += (int) names.stream().filter(Objects::nonNull).count();
        }
      }
    }
    assertThat(strangerFaces).isGreaterThanOrEqualTo(200);
    log.info(
        "named right: {} of 32 photos of the enrolled; strangers named: {} of {} faces",
        right,
        named,
        strangerFaces);
    assertThat((double) named / strangerFaces)
        .as("strangers named, at a 1%% target FPIR: %s of %s", named, strangerFaces)
        .isLessThanOrEqualTo(0.05);

    // Bad photos are refused with the reason, and counted by rule.
    HttpResponse<String> notAnImage =
        post("/people/nobody", "not an image".getBytes(StandardCharsets.UTF_8));
    assertThat(notAnImage.statusCode()).isEqualTo(400);
    assertThat(notAnImage.body()).contains("not a supported image");
    HttpResponse<String> blank = post("/people/nobody", png(new BufferedImage(200, 200, 1)));
    encoded++;
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(blank.body()).contains("no face found");
    HttpResponse<String> tiny = post("/people/tiny", png(shrunk(photo("amy", 2), 40)));
    encoded++;
    assertThat(tiny.statusCode()).as(tiny.body()).isEqualTo(422);
    assertThat(tiny.body()).contains("refused to enrol 'tiny'").contains("px apart");

    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat((String) JsonPath.read(health.body(), "$.components.semblance.status"))
        .isEqualTo("UP");
    assertThat((Integer) JsonPath.read(health.body(), "$.components.semblance.details.subjects"))
        .isEqualTo(PEOPLE.size());

    assertThat(count("semblance.encode")).isEqualTo(encoded);
    assertThat(count("semblance.identify")).isEqualTo(identified);
    assertThat(count("semblance.enrolment.refused?tag=rule:size")).isEqualTo(1);
    assertThat(count("semblance.gallery.subjects")).isEqualTo(PEOPLE.size());

    assertThat(delete("/people/amy")).isEqualTo(204);
    assertThat(delete("/people/amy")).isEqualTo(404);
    assertThat(count("semblance.gallery.subjects")).isEqualTo(PEOPLE.size() - 1);
  }

  /** The first measurement of a meter: a timer's or counter's count, a gauge's value. */
  private double count(String meter) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/actuator/metrics/" + meter);
    assertThat(response.statusCode()).as(meter).isEqualTo(200);
    return ((Number) JsonPath.read(response.body(), "$.measurements[0].value")).doubleValue();
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A photo scaled down to {@code side} pixels: a face too small to enrol. */
  private static BufferedImage shrunk(Path photo, int side) throws IOException {
    BufferedImage small = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = small.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(ImageIO.read(photo.toFile()), 0, 0, side, side, null);
    g.dispose();
    return small;
  }

  private int delete(String path) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private String recognise(Path image) throws IOException, InterruptedException {
    HttpResponse<String> response = post("/people/recognize", Files.readAllBytes(image));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Posts {@code photo} as the multipart field {@code photo}. */
  private HttpResponse<String> post(String path, byte[] photo)
      throws IOException, InterruptedException {
    String boundary = UUID.randomUUID().toString();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, photo, tail)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
