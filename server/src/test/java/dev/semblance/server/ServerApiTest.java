package dev.semblance.server;

import static dev.semblance.server.Fixtures.bytes;
import static dev.semblance.server.Fixtures.group;
import static dev.semblance.server.Fixtures.portrait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.Jpegs;
import dev.semblance.testing.Pictures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over real HTTP on loopback, with the bundled models and a gallery directory: every
 * endpoint, every answer checked against openapi.json, and the ways clients get it wrong.
 */
class ServerApiTest {
  @TempDir static Path dir;
  private static Encoder encoder;
  private static Gallery gallery;
  private static ApiKeys keys;
  private static SemblanceServer server;
  private static Http http;
  private static String admin;
  private static String recognizer;
  private static String identifier;
  private static final OpenApiCheck api = new OpenApiCheck();
  private static final AtomicInteger finished = new AtomicInteger();

  @BeforeAll
  static void start() {
    Fixtures.group("bbt3.jpg"); // skips the class without the test data
    encoder = Encoder.builder().quality(true).build();
    gallery = Gallery.open(dir.resolve("gallery"), encoder);
    keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    admin = keys.add(Role.ADMIN, "tests").secret();
    recognizer = keys.add(Role.RECOGNIZE, "door").secret();
    identifier = keys.add(Role.IDENTIFY, "back office").secret();
    server =
        SemblanceServer.builder(encoder, gallery, keys)
            .port(0)
            .rateLimit(0, 1)
            .maxBodyBytes(4 << 20)
            .start();
    http = new Http(server.uri());
    enrolTheCast();
  }

  @AfterAll
  static void stop() {
    try {
      if (finished.get() == testCount()) { // not when a single test was run
        everyDocumentedOperationWasExercised();
      }
    } finally {
      close();
    }
  }

  private static void close() {
    if (server != null) {
      server.close();
      gallery.close();
      encoder.close();
    }
  }

  private static Http.Reply ok(Http.Reply reply, int status) {
    api.check(reply);
    assertThat(reply.status()).as("%s", reply).isEqualTo(status);
    return reply;
  }

  private static Http.Reply refused(Http.Reply reply, int status, String code) {
    api.check(reply);
    assertThat(reply.status()).as("%s", reply).isEqualTo(status);
    assertThat(reply.code()).as("%s", reply).isEqualTo(code);
    assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ");
    return reply;
  }

  private static Map<String, Object> fields(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  /**
   * Every test starts from the cast enrolled through the API, one portrait each, and leaves the
   * gallery so: what a test adds, it removes.
   */
  private static void enrolTheCast() {
    for (String person : Fixtures.CAST) {
      byte[] photo = bytes(portrait(person, 1));
      Http.Reply reply =
          person.compareTo("m") < 0 // half as multipart, half as Base64 JSON
              ? http.multipart("/api/v1/subjects", admin, fields("subject", person, "file", photo))
              : http.base64("/api/v1/subjects", admin, fields("subject", person, "file", photo));
      ok(reply, 201);
      assertThat(reply.json().get("subject").asText()).isEqualTo(person);
      assertThat(reply.json().get("image_id").asText()).hasSize(16);
      assertThat(reply.json().get("quality").get("score").asDouble()).isBetween(0.0, 1.0);
    }
  }

  @AfterEach
  void theGalleryHoldsTheCastAgain() {
    finished.incrementAndGet();
    assertThat(gallery.identities()).containsExactlyInAnyOrderElementsOf(Fixtures.CAST);
  }

  @Test
  void theCastIsRecognisedInAGroupPhoto() {
    Http.Reply reply =
        ok(
            http.multipart(
                "/api/v1/recognize?limit=2", identifier, fields("file", bytes(group("bbt3.jpg")))),
            200);
    JsonNode result = reply.json();
    assertThat(result.get("gallery_size").asInt()).isEqualTo(8);
    assertThat(result.get("image").get("width").asInt()).isEqualTo(594);
    List<JsonNode> faces = new ArrayList<>();
    result.get("faces").forEach(faces::add);
    faces.sort(Comparator.comparingDouble(f -> f.get("box").get("left").asDouble()));
    List<String> names = new ArrayList<>();
    for (JsonNode face : faces) {
      assertThat(face.get("landmarks")).hasSize(5);
      assertThat(face.get("subjects")).hasSize(2);
      names.add(face.has("match") ? face.get("match").get("subject").asText() : "unknown");
    }
    assertThat(names).containsExactly("sheldon", "howard", "penny", "raj", "leonard");
  }

  @Test
  void aStrangerIsUnknownNotTheNearestSubject() throws IOException {
    Path stranger =
        dev.semblance.testing.TestData.dir("lfw-dev/images").resolve("AJ_Cook/AJ_Cook_0001.jpg");
    JsonNode result =
        ok(http.multipart("/api/v1/recognize", identifier, fields("file", bytes(stranger))), 200)
            .json();
    assertThat(result.get("faces")).hasSize(1);
    JsonNode face = result.get("faces").get(0);
    assertThat(face.has("match")).as("open set: %s", face).isFalse();
    assertThat(face.get("subjects").get(0).get("similarity").asDouble())
        .isLessThan(result.get("threshold").asDouble());
    // The gallery of a few subjects holds 1% FPIR by the bundled calibration, and says so.
    JsonNode threshold = result.get("threshold_report");
    assertThat(threshold.get("basis").asText()).isEqualTo("calibration");
    assertThat(threshold.get("target_fpir").asDouble()).isEqualTo(0.01);
    assertThat(threshold.get("target_held").asBoolean()).isTrue();
    assertThat(threshold.get("expected_fpir").asDouble()).isCloseTo(0.01, within(0.002));
    assertThat(threshold.get("expected_fpir_high").asDouble()).isGreaterThan(0.01);
  }

  @Test
  void verifyComparesTwoImagesOrAnImageAndASubject() {
    JsonNode same =
        ok(
                http.multipart(
                    "/api/v1/verify",
                    recognizer,
                    fields(
                        "source", bytes(portrait("amy", 2)), "target", bytes(portrait("amy", 3)))),
                200)
            .json();
    assertThat(same.get("match").asBoolean()).as("%s", same).isTrue();
    JsonNode other =
        ok(
                http.base64(
                    "/api/v1/verify",
                    recognizer,
                    fields(
                        "source",
                        bytes(portrait("amy", 2)),
                        "target",
                        bytes(portrait("sheldon", 2)))),
                200)
            .json();
    assertThat(other.get("match").asBoolean()).isFalse();
    assertThat(other.get("similarity").asDouble()).isLessThan(same.get("similarity").asDouble());
    JsonNode subject =
        ok(
                http.multipart(
                    "/api/v1/verify",
                    recognizer,
                    fields("source", bytes(portrait("penny", 4)), "subject", "penny")),
                200)
            .json();
    assertThat(subject.get("match").asBoolean()).isTrue();
    assertThat(subject.get("subject").asText()).isEqualTo("penny");
    assertThat(subject.get("similarity").asDouble()).isGreaterThan(0.3);
    refused(
        http.multipart(
            "/api/v1/verify",
            identifier,
            fields("source", bytes(portrait("penny", 4)), "subject", "nobody")),
        404,
        "subject_not_found");
    refused(
        http.multipart("/api/v1/verify", recognizer, fields("source", bytes(portrait("amy", 2)))),
        400,
        "missing_field");
  }

  @Test
  void detectFindsEveryFace() {
    JsonNode result =
        ok(
                http.multipart(
                    "/api/v1/detect", recognizer, fields("file", bytes(group("bbt4.jpg")))),
                200)
            .json();
    assertThat(result.get("faces")).hasSize(6);
    for (JsonNode face : result.get("faces")) {
      assertThat(face.get("detector_score").asDouble()).isGreaterThan(0.5);
      assertThat(face.has("subjects")).isFalse();
    }
  }

  @Test
  void subjectsAreCreatedListedRenamedAndRemovedFaceByFace() throws IOException {
    String nfd = Normalizer.normalize("Zoë Ørsted 🙂 李", Normalizer.Form.NFD);
    String nfc = Normalizer.normalize(nfd, Normalizer.Form.NFC);
    ok(
        http.multipart(
            "/api/v1/subjects", admin, fields("subject", nfd, "file", bytes(portrait("raj", 2)))),
        201);
    String path = "/api/v1/subjects/" + Http.segment(nfc);
    ok(http.multipart(path + "/faces", admin, fields("file", bytes(portrait("raj", 3)))), 201);
    refused(
        http.multipart(
            "/api/v1/subjects", admin, fields("subject", nfc, "file", bytes(portrait("raj", 4)))),
        409,
        "subject_exists");
    JsonNode faces = ok(http.get(path + "/faces", admin), 200).json();
    assertThat(faces.get("subject").asText()).isEqualTo(nfc);
    assertThat(faces.get("faces")).hasSize(2);

    Set<String> listed = new TreeSet<>();
    for (int page = 0; ; page++) {
      JsonNode p = ok(http.get("/api/v1/subjects?size=3&page=" + page, admin), 200).json();
      assertThat(p.get("total").asInt()).isEqualTo(9);
      p.get("subjects").forEach(s -> listed.add(s.get("subject").asText()));
      if (p.get("subjects").size() < 3) {
        break;
      }
    }
    assertThat(listed).hasSize(9).contains(nfc, "amy", "stuart");

    String renamed = "Zoë Ørsted-Li";
    JsonNode rename = ok(http.json("PUT", path, admin, Map.of("subject", renamed)), 200).json();
    assertThat(rename.get("previous").asText()).isEqualTo(nfc);
    refused(http.json("PUT", path, admin, Map.of("subject", "x")), 404, "subject_not_found");
    refused(
        http.json("PUT", "/api/v1/subjects/amy", admin, Map.of("subject", "raj")),
        409,
        "subject_exists");
    path = "/api/v1/subjects/" + Http.segment(renamed);
    String first =
        ok(http.get(path + "/faces", admin), 200)
            .json()
            .get("faces")
            .get(0)
            .get("image_id")
            .asText();
    refused(http.delete(path + "/faces/0123456789abcdef", admin), 404, "face_not_found");
    JsonNode dropped = ok(http.delete(path + "/faces/" + first, admin), 200).json();
    assertThat(dropped.get("subject_removed").asBoolean()).isFalse();
    assertThat(ok(http.get(path + "/faces", admin), 200).json().get("faces")).hasSize(1);
    JsonNode deleted = ok(http.delete(path, admin), 200).json();
    assertThat(deleted.get("removed_faces").asInt()).isEqualTo(1);
    refused(http.delete(path, admin), 404, "subject_not_found");
    refused(http.get(path + "/faces", admin), 404, "subject_not_found");

    // Removed is durable; compacted, it leaves no trace in the gallery's files.
    byte[] name = renamed.getBytes(StandardCharsets.UTF_8);
    ok(http.raw("POST", "/api/v1/compact", admin, new byte[0], "application/json"), 200);
    try (Stream<Path> files = Files.list(dir.resolve("gallery"))) {
      for (Path file : files.toList()) {
        assertThat(indexOf(Files.readAllBytes(file), name)).as("%s", file).isNegative();
      }
    }
  }

  @Test
  void theQualityGateRefusesARuinedPhotoAndSaysWhy() throws IOException {
    byte[] ruined =
        Jpegs.encode(
            Pictures.blurred(ImageIO.read(portrait("howard", 2).toFile()), 4), // quality 0.49
            "jpg");
    Http.Reply reply =
        refused(
            http.multipart("/api/v1/subjects/howard/faces", admin, fields("file", ruined)),
            422,
            "face_rejected");
    assertThat(reply.json().get("reasons")).isNotEmpty();
    assertThat(ok(http.get("/api/v1/subjects/howard/faces", admin), 200).json().get("faces"))
        .as("nothing added")
        .hasSize(1);
  }

  @Test
  void badImagesAreRefusedWithTheirReason() {
    byte[] jpeg = bytes(group("bbt3.jpg"));
    Http.Reply notImage =
        refused(
            http.multipart(
                "/api/v1/recognize",
                recognizer,
                fields("file", "this is not a picture".getBytes(StandardCharsets.UTF_8))),
            400,
            "invalid_image");
    assertThat(notImage.json().get("message").asText()).isNotBlank();
    refused(
        http.multipart(
            "/api/v1/recognize", recognizer, fields("file", Arrays.copyOf(jpeg, jpeg.length / 3))),
        400,
        "invalid_image");
    Http.Reply huge =
        refused(
            http.multipart(
                "/api/v1/detect", recognizer, fields("file", Fixtures.pngHeader(100_000, 100_000))),
            400,
            "invalid_image");
    assertThat(huge.json().get("message").asText()).contains("100000x100000").contains("limit");
    refused(
        http.base64("/api/v1/detect", recognizer, fields("file", Fixtures.hugeJpegHeader(jpeg))),
        400,
        "invalid_image");
    byte[] grey =
        Jpegs.encode(
            new java.awt.image.BufferedImage(320, 240, java.awt.image.BufferedImage.TYPE_INT_RGB),
            "jpg");
    refused(
        http.multipart("/api/v1/subjects", admin, fields("subject", "blank", "file", grey)),
        422,
        "no_face");
    refused(
        http.json("POST", "/api/v1/detect", recognizer, Map.of("file", "@@not base64@@")),
        400,
        "invalid_base64");
  }

  @Test
  void malformedRequestsAreRefused() {
    refused(
        http.raw(
            "POST",
            "/api/v1/subjects",
            admin,
            "{\"subject\": \"x\", ".getBytes(StandardCharsets.UTF_8),
            "application/json"),
        400,
        "malformed_json");
    refused(
        http.raw(
            "POST",
            "/api/v1/subjects",
            admin,
            "[1,2]".getBytes(StandardCharsets.UTF_8),
            "application/json"),
        400,
        "malformed_json");
    refused(
        http.json("POST", "/api/v1/subjects", admin, Map.of("subject", 42, "file", "AAAA")),
        400,
        "invalid_field");
    refused(
        http.raw("POST", "/api/v1/detect", recognizer, new byte[] {1, 2, 3}, "image/jpeg"),
        415,
        "unsupported_media_type");
    refused(http.get("/api/v1/subjects?size=0", admin), 400, "invalid_parameter");
    refused(http.get("/api/v1/subjects?page=x", admin), 400, "invalid_parameter");
    refused(
        http.multipart("/api/v1/recognize?limit=1000", identifier, fields("file", new byte[] {1})),
        400,
        "invalid_parameter");
    // Base64 is strict: characters outside it are refused, not skipped into an empty image.
    refused(
        http.json("POST", "/api/v1/detect", recognizer, Map.of("file", "@@@@")),
        400,
        "invalid_base64");
    // A known path with another method: 405, as JSON, and counted among the unrouted.
    for (String method : List.of("GET", "PATCH")) {
      Http.Reply wrong = http.raw(method, "/api/v1/detect", recognizer, new byte[0], null);
      assertThat(wrong.status()).as("%s", wrong).isEqualTo(405);
      assertThat(wrong.code()).isEqualTo("method_not_allowed");
    }
    // Refused by Jetty before any endpoint: still JSON, with a code.
    String badUri =
        http.exchange(
            "GET /api/v1/subjects/%zz/faces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(badUri).startsWith("HTTP/1.1 400").contains("application/json");
    assertThat(badUri).contains("{\"code\":\"bad_request\"");
    String bigHeader =
        http.exchange(
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertThat(bigHeader).startsWith("HTTP/1.1 431").contains("{\"code\":\"headers_too_large\"");
    Http.Reply missing = http.get("/api/v1/nothing-here", admin);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.code()).isEqualTo("not_found");
    assertThat(missing.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    // Requests no endpoint answered are counted too: the unknown path, the wrong method, and
    // Jetty's own refusals.
    String metrics = http.get("/metrics", null).body();
    for (String status : List.of("400", "404", "405", "431")) {
      assertThat(metrics)
          .as("unrouted %s in /metrics", status)
          .containsPattern(
              "semblance_http_requests_seconds_count\\{[^}]*route=\"unrouted\",status=\""
                  + status
                  + "\"");
    }
  }

  @Test
  void oversizeBodiesGet413() {
    byte[] big = new byte[5 << 20];
    refused(
        http.multipart("/api/v1/detect", recognizer, fields("file", big)), 413, "body_too_large");
    refused(
        http.raw("POST", "/api/v1/detect", recognizer, big, "application/json"),
        413,
        "body_too_large");
    assertThat(http.get("/health", null).status()).as("still serving").isEqualTo(200);
  }

  @Test
  void keysAreCheckedAndRolesEnforced() {
    byte[] photo = bytes(portrait("amy", 4));
    refused(http.multipart("/api/v1/recognize", null, fields("file", photo)), 401, "missing_key");
    refused(
        http.multipart("/api/v1/recognize", "smb_00000000_nonsense", fields("file", photo)),
        401,
        "invalid_key");
    refused(http.get("/api/v1/subjects", "not even a key"), 401, "invalid_key");
    String tampered = admin.substring(0, admin.length() - 2) + (admin.endsWith("A") ? "BB" : "AA");
    refused(http.get("/api/v1/subjects", tampered), 401, "invalid_key");
    ApiKeys.NewKey doomed = keys.add(Role.ADMIN, "to revoke");
    ok(http.get("/api/v1/subjects", doomed.secret()), 200);
    assertThat(ApiKeys.open(dir.resolve("api-keys.tsv")).revoke(doomed.info().id())).isTrue();
    refused(http.get("/api/v1/subjects", doomed.secret()), 401, "revoked_key");
    refused(http.get("/api/v1/subjects", recognizer), 403, "forbidden");
    refused(
        http.multipart("/api/v1/subjects", recognizer, fields("subject", "x", "file", photo)),
        403,
        "forbidden");
    refused(http.delete("/api/v1/subjects/amy", recognizer), 403, "forbidden");
    refused(
        http.raw("POST", "/api/v1/compact", recognizer, new byte[0], "application/json"),
        403,
        "forbidden");
    ok(http.get("/api/v1/subjects/amy/faces", admin), 200);
  }

  @Test
  void everyRoleIsWalkedThroughEveryEndpoint() {
    Map<Role, String> keyOf =
        Map.of(Role.RECOGNIZE, recognizer, Role.IDENTIFY, identifier, Role.ADMIN, admin);
    for (String endpoint : server.endpoints()) {
      String[] parts = endpoint.split(" ");
      String path = parts[1].replace("{subject}", "nobody-here").replace("{image_id}", "0");
      Role needed = parts.length > 2 ? Role.of(parts[2]) : null;
      for (Role role : Role.values()) {
        // An empty JSON object: refused after the key check (400, 404) where the role may call it.
        Http.Reply reply =
            api.check(
                parts[0].equals("GET") || parts[0].equals("DELETE")
                    ? http.raw(parts[0], path, keyOf.get(role), new byte[0], null)
                    : http.json(parts[0], path, keyOf.get(role), Map.of()));
        if (needed != null && !role.allows(needed)) {
          assertThat(reply.status()).as("%s with a %s key", endpoint, role).isEqualTo(403);
          assertThat(reply.code()).isEqualTo("forbidden");
        } else {
          assertThat(reply.status()).as("%s with a %s key", endpoint, role).isNotIn(401, 403);
        }
      }
      if (needed != null) {
        refused(http.raw(parts[0], path, null, new byte[0], null), 401, "missing_key");
      }
    }
  }

  @Test
  void aRecognizeKeyLearnsNoNameButTheOneItsProbeMatched() throws IOException {
    JsonNode group =
        ok(
                http.multipart(
                    "/api/v1/recognize", recognizer, fields("file", bytes(group("bbt3.jpg")))),
                200)
            .json();
    List<String> named = new ArrayList<>();
    for (JsonNode face : group.get("faces")) {
      assertThat(face.has("subjects")).as("no ranked list: %s", face).isFalse();
      named.add(face.path("match").path("subject").asText("unknown"));
    }
    assertThat(named).containsExactlyInAnyOrder("sheldon", "howard", "penny", "raj", "leonard");
    for (String absent : List.of("amy", "bernadette", "stuart")) {
      assertThat(group.toString()).doesNotContain(absent);
    }
    byte[] stranger =
        bytes(
            dev.semblance.testing.TestData.dir("lfw-dev/images")
                .resolve("AJ_Cook/AJ_Cook_0001.jpg"));
    String unknown =
        ok(http.multipart("/api/v1/recognize", recognizer, fields("file", stranger)), 200).body();
    for (String person : Fixtures.CAST) {
      assertThat(unknown).doesNotContain(person);
    }
    refused(
        http.multipart("/api/v1/recognize?limit=5", recognizer, fields("file", stranger)),
        403,
        "forbidden");
    // Verify against a name: one enrolled and one not read the same when the probe matches neither.
    Http.Reply enrolled =
        ok(
            http.multipart(
                "/api/v1/verify", recognizer, fields("source", stranger, "subject", "amy")),
            200);
    Http.Reply missing =
        ok(
            http.multipart(
                "/api/v1/verify", recognizer, fields("source", stranger, "subject", "zoe")),
            200);
    assertThat(enrolled.json().has("similarity")).isFalse();
    assertThat(enrolled.body().replace("\"amy\"", "\"zoe\"")).isEqualTo(missing.body());
    // Nor do the admin endpoints tell an enrolled name from another.
    for (String path : List.of("/api/v1/subjects/amy/faces", "/api/v1/subjects/zoe/faces")) {
      Http.Reply reply = refused(http.get(path, recognizer), 403, "forbidden");
      assertThat(reply.body()).doesNotContain("amy").doesNotContain("zoe");
    }
    // An identify key sees the ranked candidates, and which names exist.
    JsonNode ranked =
        ok(http.multipart("/api/v1/recognize?limit=3", identifier, fields("file", stranger)), 200)
            .json();
    assertThat(ranked.get("faces").get(0).get("subjects")).hasSize(3);
    refused(
        http.multipart("/api/v1/verify", identifier, fields("source", stranger, "subject", "zoe")),
        404,
        "subject_not_found");
  }

  @Test
  void pathTricksAndOddNamesCannotEscapeOrSpoof() throws IOException {
    byte[] photo = bytes(portrait("leonard", 2));
    for (String name :
        List.of(
            "../api-keys.tsv",
            "a/b",
            "..",
            ".",
            "back\\slash",
            "bell\u0007",
            " ",
            "evil\u202Egnp.exe")) {
      refused(
          http.multipart("/api/v1/subjects", admin, fields("subject", name, "file", photo)),
          400,
          "invalid_subject");
    }
    refused(
        http.multipart(
            "/api/v1/subjects", admin, fields("subject", "x".repeat(257), "file", photo)),
        400,
        "invalid_subject");
    for (String path :
        List.of(
            "/api/v1/subjects/..%2F..%2Fapi-keys.tsv/faces",
            "/api/v1/subjects/%2e%2e/faces", "/api/v1/subjects/amy%00/faces")) {
      Http.Reply reply = http.get(path, admin);
      assertThat(reply.status()).as("%s", reply).isBetween(400, 404);
      assertThat(reply.body()).doesNotContain("sha256").doesNotContain("smb_");
    }
    Http.Reply reply = http.get("/api/v1/../../api-keys.tsv", admin);
    assertThat(reply.body()).doesNotContain("smb_").doesNotContain("semblance api keys");
    assertThat(gallery.identities()).noneMatch(n -> n.contains("/") || n.contains(".."));
  }

  @Test
  void aFloodPastTheRateLimitGets429AndOtherKeysAreUnaffected() {
    try (SemblanceServer limited =
        SemblanceServer.builder(encoder, gallery, keys).port(0).rateLimit(1, 3).start()) {
      Http client = new Http(limited.uri());
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        statuses.add(client.get("/api/v1/subjects?size=1", admin).status());
      }
      assertThat(statuses.subList(0, 3)).containsOnly(200);
      assertThat(statuses.subList(3, 10)).contains(429);
      Http.Reply refusedReply = client.get("/api/v1/subjects?size=1", admin);
      assertThat(refusedReply.status()).isEqualTo(429);
      assertThat(refusedReply.code()).isEqualTo("rate_limited");
      assertThat(refusedReply.headers().firstValue("Retry-After")).isPresent();
      api.check(refusedReply);
      assertThat(
              client
                  .multipart(
                      "/api/v1/detect", recognizer, fields("file", bytes(portrait("amy", 1))))
                  .status())
          .as("another key has its own bucket")
          .isEqualTo(200);
    }
  }

  @Test
  void healthMetricsAndThePageArePublic() {
    JsonNode health = ok(http.get("/health", null), 200).json();
    assertThat(health.get("ready").asBoolean()).isTrue();
    ok(http.get("/health/live", null), 200);
    ok(http.get("/health/ready", null), 200);
    Http.Reply metrics = ok(http.get("/metrics", null), 200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains(
            "semblance_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/recognize\",status=\"200\"}")
        .contains("semblance_gallery_subjects ")
        .contains("semblance_rate_limited_total")
        .contains("jvm_memory_used_bytes");
    Http.Reply page = ok(http.get("/", null), 200);
    assertThat(page.body()).contains("<title>Semblance</title>");
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    ok(http.get("/app.js", null), 200);
    ok(http.get("/openapi.json", null), 200);
  }

  @Test
  void corsIsOffUnlessConfigured() {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest preflight =
        java.net.http.HttpRequest.newBuilder(server.uri().resolve("api/v1/recognize"))
            .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://elsewhere.example")
            .header("Access-Control-Request-Method", "POST")
            .build();
    try {
      var reply = client.send(preflight, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(reply.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      try (SemblanceServer open =
          SemblanceServer.builder(encoder, gallery, keys)
              .port(0)
              .corsOrigins(List.of("https://app.example"))
              .start()) {
        var allowed =
            client.send(
                java.net.http.HttpRequest.newBuilder(open.uri().resolve("api/v1/recognize"))
                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "POST")
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
            .contains("https://app.example");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void concurrentEnrolmentsRemovalsAndSearchesLoseNothing() throws Exception {
    byte[] group = bytes(group("bbt2.jpg"));
    List<byte[]> photos = new ArrayList<>();
    for (String person : Fixtures.CAST) {
      photos.add(bytes(portrait(person, 5)));
    }
    Set<String> kept = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      threads.add(
          new Thread(
              () -> {
                for (int n = 0; n < 8; n++) {
                  String name = "load-" + writer + "-" + n;
                  Http.Reply made =
                      http.multipart(
                          "/api/v1/subjects",
                          admin,
                          fields("subject", name, "file", photos.get((writer + n) % 8)));
                  if (made.status() != 201) {
                    failures.add(made.toString());
                  } else if (n % 2 == 1) {
                    Http.Reply gone = http.delete("/api/v1/subjects/" + name, admin);
                    if (gone.status() != 200) {
                      failures.add(gone.toString());
                    }
                  } else {
                    kept.add(name);
                  }
                }
              }));
    }
    for (int r = 0; r < 3; r++) {
      threads.add(
          new Thread(
              () -> {
                for (int n = 0; n < 6; n++) {
                  Http.Reply found =
                      http.multipart("/api/v1/recognize", recognizer, fields("file", group));
                  if (found.status() != 200 || found.json().get("faces").size() != 3) {
                    failures.add(found.toString());
                  }
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(120_000);
    }
    assertThat(failures).isEmpty();
    assertThat(kept).hasSize(12);
    assertThat(gallery.identities().stream().filter(n -> n.startsWith("load-")))
        .containsExactlyInAnyOrderElementsOf(kept);
    for (String name : kept) {
      ok(http.delete("/api/v1/subjects/" + name, admin), 200);
    }
  }

  @Test
  void aStalledClientIsCutOffAndABusyServerSays503() throws Exception {
    try (SemblanceServer strict =
        SemblanceServer.builder(encoder, gallery, keys)
            .port(0)
            .rateLimit(0, 1)
            .idleTimeout(java.time.Duration.ofMillis(500))
            .inferenceConcurrency(1)
            .queueTimeout(java.time.Duration.ofMillis(20)) // a 6-face detect takes longer
            .start()) {
      // Half a request, then silence: the connection is closed, not held forever.
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", strict.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                "POST /api/v1/detect HTTP/1.1\r\nHost: x\r\nContent-Len"
                    .getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        byte[] answer = socket.getInputStream().readAllBytes(); // returns when the server closes
        assertThat((System.nanoTime() - start) / 1e9).isBetween(0.3, 8.0);
        assertThat(answer.length).isLessThan(2000);
      }
      // A whole head and part of a body, then silence: 408, as JSON, once the idle timeout passes.
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", strict.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("POST /api/v1/detect HTTP/1.1\r\nHost: x\r\nX-Api-Key: "
                        + recognizer
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        + "{\"file\": \"")
                    .getBytes(StandardCharsets.US_ASCII));
        String answer =
            new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"body_timeout\"");
      }
      Http client = new Http(strict.uri());
      byte[] photo = bytes(group("bbt4.jpg"));
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(6);
      List<Http.Reply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        threads.add(
            new Thread(
                () -> {
                  try {
                    together.await();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  replies.add(
                      client.multipart("/api/v1/detect", recognizer, fields("file", photo)));
                }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join(60_000);
      }
      assertThat(replies).extracting(Http.Reply::status).as("%s", replies).contains(200, 503);
      for (Http.Reply reply : replies) {
        if (reply.status() == 503) {
          refused(reply, 503, "busy");
        }
      }
    }
  }

  @Test
  void openApiDescribesEveryEndpointWithItsRole() {
    assertThat(api.operations()).isEqualTo(served());
    // Each documented role is the one enforced.
    for (String endpoint : server.endpoints()) {
      String[] parts = endpoint.split(" ");
      JsonNode op = api.doc().get("paths").get(parts[1]).get(parts[0].toLowerCase());
      assertThat(op.path("x-semblance-role").asText(""))
          .as(endpoint)
          .isEqualTo(parts.length > 2 ? parts[2] : "");
    }
  }

  /** The served operations, as "METHOD /path". */
  private static Set<String> served() {
    Set<String> served = new TreeSet<>();
    for (String endpoint : server.endpoints()) {
      String[] parts = endpoint.split(" ");
      served.add(parts[0] + " " + parts[1]);
    }
    return served;
  }

  /** Once every test has run: each documented operation was answered and checked by one. */
  private static void everyDocumentedOperationWasExercised() {
    assertThat(api.seen()).as("operations exercised in these tests").isEqualTo(served());
  }

  private static long testCount() {
    return Arrays.stream(ServerApiTest.class.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Test.class))
        .count();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
