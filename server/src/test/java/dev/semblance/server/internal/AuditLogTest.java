package dev.semblance.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditLogTest {
  /** Reads a logfmt line back: name="value" pairs, JSON escapes in the values. */
  private static Map<String, String> parse(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    int i = 0;
    while (i < line.length()) {
      int equals = line.indexOf('=', i);
      String name = line.substring(i, equals);
      assertThat(line.charAt(equals + 1)).as("quoted value of %s", name).isEqualTo('"');
      StringBuilder value = new StringBuilder();
      int j = equals + 2;
      for (; line.charAt(j) != '"'; j++) {
        char c = line.charAt(j);
        if (c == '\\') {
          char e = line.charAt(++j);
          switch (e) {
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'u' -> {
              value.append((char) Integer.parseInt(line.substring(j + 1, j + 5), 16));
              j += 4;
            }
            default -> value.append(e);
          }
        } else {
          value.append(c);
        }
      }
      assertThat(fields.put(name, value.toString())).as("field %s once", name).isNull();
      i = j + 2; // past the closing quote and the space
    }
    return fields;
  }

  @Test
  void aNameCannotForgeFieldsOrLines() {
    String forged = "x\" image_id=0000 key=f4f51f0759 from=10.0.0.9 ok=\"";
    String multiline = "bob\nINFO audit action=\"remove\"\u2028\\";
    for (String subject : new String[] {forged, multiline}) {
      String line =
          AuditLog.line(
              "action",
              "enrol",
              "subject",
              subject,
              "image_id",
              "1a2b",
              "key",
              "k1",
              "from",
              "::1");
      assertThat(line).doesNotContain("\n").doesNotContain("\u2028");
      assertThat(parse(line))
          .containsExactly(
              Map.entry("action", "enrol"),
              Map.entry("subject", subject),
              Map.entry("image_id", "1a2b"),
              Map.entry("key", "k1"),
              Map.entry("from", "::1"));
    }
  }

  @Test
  void forwardedForIsBelievedOnlyFromATrustedProxy() {
    Set<String> proxies = Set.of("10.0.0.2", "10.0.0.3");
    // No proxy trusted, or a peer that is not one: the peer, whatever the header claims.
    assertThat(AuditLog.client("203.0.113.7", "10.0.0.9", Set.of())).isEqualTo("203.0.113.7");
    assertThat(AuditLog.client("203.0.113.7", "10.0.0.9", proxies)).isEqualTo("203.0.113.7");
    // Through our proxy: the address it heard from.
    assertThat(AuditLog.client("10.0.0.2", "198.51.100.4", proxies)).isEqualTo("198.51.100.4");
    // A client's own forged entry comes before what our proxies appended: it is not believed.
    assertThat(AuditLog.client("10.0.0.2", "1.1.1.1, 198.51.100.4, 10.0.0.3", proxies))
        .isEqualTo("198.51.100.4");
    assertThat(AuditLog.client("10.0.0.2", null, proxies)).isEqualTo("10.0.0.2");
  }
}
