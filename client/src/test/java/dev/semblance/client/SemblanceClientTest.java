package dev.semblance.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.client.SemblanceClient.Face;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import dev.semblance.server.SemblanceServer;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real server on loopback, and against the server's openapi.json. */
class SemblanceClientTest {
  @TempDir Path dir;

  private static JsonNode openApi() {
    try (InputStream in =
        SemblanceServer.class.getResourceAsStream("/dev/semblance/server/openapi.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String snake(String camel) {
    return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
  }

  @Test
  void everyAnswerSchemaHasARecordWithItsFields() {
    JsonNode schemas = openApi().get("components").get("schemas");
    Map<String, Class<?>> records = new java.util.TreeMap<>();
    for (Class<?> nested : SemblanceClient.class.getDeclaredClasses()) {
      if (nested.isRecord() && java.lang.reflect.Modifier.isPublic(nested.getModifiers())) {
        records.put(nested.getSimpleName(), nested);
      }
    }
    Set<String> documented = new TreeSet<>();
    schemas.fieldNames().forEachRemaining(documented::add);
    documented.remove("Error"); // an error is a SemblanceApiException
    assertThat(records.keySet()).containsAll(documented);
    for (String name : documented) {
      Set<String> fields = new TreeSet<>();
      schemas.get(name).get("properties").fieldNames().forEachRemaining(fields::add);
      Set<String> components = new TreeSet<>();
      for (RecordComponent c : records.get(name).getRecordComponents()) {
        components.add(snake(c.getName()));
      }
      assertThat(components).as("fields of %s", name).isEqualTo(fields);
    }
    // Example is the items of Examples.faces, not a named schema of its own.
    assertThat(records.keySet()).containsAll(documented).contains("Example");
  }

  @Test
  void everyOperationIsCalledThroughTheClientWithEveryRolesView() throws Exception {
    Path cast = TestData.dir("tv-characters");
    byte[] amy1 = Files.readAllBytes(cast.resolve("amy/amy1.png"));
    byte[] amy2 = Files.readAllBytes(cast.resolve("amy/amy2.png"));
    byte[] penny1 = Files.readAllBytes(cast.resolve("penny/penny1.png"));
    byte[] group = Files.readAllBytes(cast.resolve("group-photos/bbt3.jpg"));
    ApiKeys keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    try (Encoder encoder = Encoder.builder().quality(true).build();
        Gallery gallery = Gallery.open(dir.resolve("gallery"), encoder);
        SemblanceServer server =
            SemblanceServer.builder(encoder, gallery, keys).port(0).rateLimit(0, 1).start()) {
      SemblanceClient admin =
          SemblanceClient.builder(server.uri()).apiKey(keys.add(Role.ADMIN, "t").secret()).build();
      SemblanceClient door =
          SemblanceClient.builder(server.uri())
              .apiKey(keys.add(Role.RECOGNIZE, "door").secret())
              .build();

      assertThat(admin.health().ready()).isTrue();
      SemblanceClient.Enrolled amy = admin.createSubject("amy", amy1);
      assertThat(amy.imageId()).hasSize(16);
      assertThat(amy.quality().score()).isBetween(0f, 1f);
      admin.createSubject("penny", penny1);
      admin.addFace("amy", amy2);
      SemblanceApiException exists = catchApi(() -> admin.createSubject("amy", amy1));
      assertThat(exists.status()).isEqualTo(409);
      assertThat(exists.code()).isEqualTo("subject_exists");
      assertThat(exists.isRetryable()).isFalse();

      assertThat(admin.subjects(0, 10).subjects())
          .extracting(
              SemblanceClient.SubjectSummary::subject, SemblanceClient.SubjectSummary::faces)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("amy", 2),
              org.assertj.core.groups.Tuple.tuple("penny", 1));
      assertThat(admin.faces("amy").faces()).hasSize(2);

      SemblanceClient.Recognized ranked = admin.recognize(group, 2);
      Face pennyInGroup =
          ranked.faces().stream()
              .filter(f -> f.match() != null && f.match().subject().equals("penny"))
              .findFirst()
              .orElseThrow();
      assertThat(pennyInGroup.subjects()).hasSize(2);
      assertThat(pennyInGroup.landmarks()).hasSize(5);
      SemblanceClient.Recognized decided = door.recognize(group);
      assertThat(decided.faces()).allMatch(f -> f.subjects() == null);
      assertThat(decided.faces()).filteredOn(f -> f.match() != null).hasSize(1);
      assertThat(catchApi(() -> door.recognize(group, 3)).code()).isEqualTo("forbidden");

      assertThat(door.detect(group).faces()).hasSize(ranked.faces().size());
      assertThat(door.verify(amy2, amy1).match()).isTrue();
      SemblanceClient.Verified notPenny = door.verify(amy2, "penny");
      assertThat(notPenny.match()).isFalse();
      assertThat(notPenny.similarity()).isNull();
      assertThat(admin.verify(amy2, "penny").similarity()).isNotNull();

      assertThat(admin.renameSubject("amy", "Amy Farrah Fowler").previous()).isEqualTo("amy");
      assertThat(admin.deleteFace("Amy Farrah Fowler", amy.imageId()).subjectRemoved()).isFalse();
      assertThat(admin.deleteSubject("penny").removedFaces()).isEqualTo(1);
      assertThat(admin.compact().subjects()).isEqualTo(1);
      SemblanceApiException gone = catchApi(() -> admin.faces("penny"));
      assertThat(gone.status()).isEqualTo(404);
      assertThat(gone.code()).isEqualTo("subject_not_found");
      assertThatThrownBy(() -> SemblanceClient.builder(URI.create("ftp://x/")))
          .isInstanceOf(IllegalArgumentException.class);

      // Each documented /api operation was answered 2xx at least once, by the server's count.
      assertThat(answeredOperations(server)).isEqualTo(documentedOperations());
    }
  }

  private static SemblanceApiException catchApi(Runnable call) {
    try {
      call.run();
    } catch (SemblanceApiException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }

  private static Set<String> documentedOperations() {
    Set<String> all = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = openApi().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      if (path.getKey().startsWith("/api/")) {
        path.getValue()
            .fieldNames()
            .forEachRemaining(
                m -> {
                  if (!m.equals("parameters")) {
                    all.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                  }
                });
      }
    }
    return all;
  }

  private static Set<String> answeredOperations(SemblanceServer server) throws Exception {
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.uri().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m =
        Pattern.compile(
                "semblance_http_requests_seconds_count\\{method=\"(\\w+)\",route=\"(/api[^\"]*)\","
                    + "status=\"2\\d\\d\"}")
            .matcher(metrics);
    Set<String> answered = new TreeSet<>();
    while (m.find()) {
      answered.add(m.group(1) + " " + m.group(2));
    }
    return answered;
  }
}
