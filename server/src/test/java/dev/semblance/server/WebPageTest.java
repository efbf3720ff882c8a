package dev.semblance.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's web page in a real browser (headless Chromium), against a real server. */
class WebPageTest {
  @TempDir Path dir;

  @Test
  void uploadNamesTheCastAndAnEnrolmentThroughThePageReachesTheApi() throws Exception {
    Path group = Fixtures.group("bbt3.jpg");
    Path stranger = TestData.dir("lfw-dev/images").resolve("AJ_Cook/AJ_Cook_0001.jpg");
    ApiKeys keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    String admin = keys.add(Role.ADMIN, "page").secret();
    try (Encoder encoder = Encoder.builder().quality(true).build();
        Gallery gallery = Gallery.open(dir.resolve("gallery"), encoder);
        SemblanceServer server = SemblanceServer.builder(encoder, gallery, keys).port(0).start();
        Browser browser = new Browser(dir.resolve("profile"))) {
      Http http = new Http(server.uri());
      for (String person : Fixtures.CAST) {
        Http.Reply reply =
            http.multipart(
                "/api/v1/subjects",
                admin,
                Map.of("subject", person, "file", Fixtures.bytes(Fixtures.portrait(person, 1))));
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
      }

      browser.open(server.uri());
      assertThat(browser.errors()).as("errors while loading").isEmpty();
      browser.eval(
          "const key = document.getElementById('api-key'); key.value = '"
              + admin
              + "'; key.dispatchEvent(new Event('change')); true");
      browser.waitForScript("document.querySelectorAll('#subjects li').length === 8");

      browser.chooseFile("#photo", group);
      browser.waitForScript("document.querySelectorAll('#stage .face-label').length === 5");
      List<String> names = new ArrayList<>();
      for (JsonNode label :
          browser.eval(
              "[...document.querySelectorAll('#stage .face-label')].map(l => l.textContent)")) {
        names.add(label.asText().split(" ")[0]);
      }
      assertThat(names).containsExactlyInAnyOrder("sheldon", "howard", "penny", "raj", "leonard");

      browser.chooseFile("#photo", stranger);
      browser.waitForScript(
          "[...document.querySelectorAll('#stage .face-label')].map(l => l.textContent)"
              + ".join() === 'unknown'");
      browser.eval(
          "document.getElementById('enrol-name').value = 'A. J. Cook';"
              + " document.getElementById('enrol').click(); true");
      browser.waitForScript(
          "document.getElementById('status').textContent.includes('face(s), 1 known')");
      assertThat(browser.eval("document.querySelector('#stage .face-label').textContent").asText())
          .startsWith("A. J. Cook ");
      assertThat(browser.eval("document.getElementById('subjects').textContent").asText())
          .contains("A. J. Cook (1 face)");
      JsonNode subjects = http.get("/api/v1/subjects", admin).json();
      assertThat(subjects.get("total").asInt()).isEqualTo(9);
      assertThat(subjects.toString()).contains("\"A. J. Cook\"");

      // Subjects are listed a page of 100 at a time: 129 take two pages.
      for (int i = 0; i < 120; i++) {
        gallery.enroll(
            String.format("extra %03d", i), gallery.templates("amy").get(0)); // names, not faces
      }
      browser.eval("document.getElementById('subjects-refresh').click(); true");
      browser.waitForScript(
          "document.getElementById('subjects-range').textContent === '1–100 of 129'");
      browser.eval("document.getElementById('subjects-next').click(); true");
      browser.waitForScript(
          "document.getElementById('subjects-range').textContent === '101–129 of 129'"
              + " && document.querySelectorAll('#subjects li').length === 29"
              + " && document.getElementById('subjects-next').disabled");

      // The camera path, with Chromium's fake camera (a test pattern: no face in it).
      browser.eval("document.getElementById('camera-start').click(); true");
      browser.waitForScript(
          "document.getElementById('camera').videoWidth > 0"
              + " && !document.getElementById('camera-capture').disabled");
      browser.eval("document.getElementById('camera-capture').click(); true");
      browser.waitForScript(
          "document.getElementById('status').textContent.startsWith('0 face(s)')");

      assertThat(browser.errors()).as("console errors and exceptions").isEmpty();
    }
  }
}
