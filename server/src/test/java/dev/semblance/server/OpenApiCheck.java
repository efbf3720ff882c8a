package dev.semblance.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks real answers against the server's {@code openapi.json}: each reply's status must be
 * documented for its operation, and a JSON body must match the documented schema (types, required
 * and unexpected properties, arrays, references). Remembers which operations were seen.
 */
final class OpenApiCheck {
  private final JsonNode doc;
  private final Map<String, Boolean> seen = new ConcurrentHashMap<>();

  OpenApiCheck() {
    try (InputStream in =
        OpenApiCheck.class.getResourceAsStream("/dev/semblance/server/openapi.json")) {
      doc = Http.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode doc() {
    return doc;
  }

  /** "METHOD /path/{template}" of every documented operation. */
  Set<String> operations() {
    Set<String> all = new TreeSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> {
                          if (!m.equals("parameters")) {
                            all.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                          }
                        }));
    return all;
  }

  Set<String> seen() {
    return new TreeSet<>(seen.keySet());
  }

  /** Checks {@code reply} and returns it. */
  Http.Reply check(Http.Reply reply) {
    String path = reply.path().replaceFirst("\\?.*$", "");
    String template = template(path);
    assertThat(template).as("documented path for %s", reply).isNotNull();
    JsonNode operation = doc.get("paths").get(template).get(reply.method().toLowerCase());
    assertThat(operation).as("documented operation for %s", reply).isNotNull();
    JsonNode response = operation.get("responses").get(String.valueOf(reply.status()));
    assertThat(response).as("documented status for %s", reply).isNotNull();
    JsonNode schema = response.path("content").path("application/json").get("schema");
    if (schema != null) {
      List<String> problems = new ArrayList<>();
      validate(reply.json(), schema, "$", problems);
      assertThat(problems).as("%s against its schema", reply).isEmpty();
    }
    seen.put(reply.method() + " " + template, true);
    return reply;
  }

  private String template(String path) {
    Iterator<String> names = doc.get("paths").fieldNames();
    while (names.hasNext()) {
      String t = names.next();
      if (path.matches(t.replaceAll("\\{[^}]+}", "[^/]+"))) {
        return t;
      }
    }
    return null;
  }

  private void validate(JsonNode value, JsonNode schema, String where, List<String> problems) {
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
      validate(value, doc.get("components").get("schemas").get(name), where, problems);
      return;
    }
    String type = schema.path("type").asText("");
    boolean ok =
        switch (type) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> value.isIntegralNumber();
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!ok) {
      problems.add(where + " is not " + type + ": " + value);
      return;
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          problems.add(where + " lacks " + required.asText());
        }
      }
      JsonNode properties = schema.path("properties");
      value
          .fields()
          .forEachRemaining(
              field -> {
                JsonNode property = properties.get(field.getKey());
                if (property == null) {
                  if (schema.path("additionalProperties").asBoolean(true) == false) {
                    problems.add(where + " has undocumented " + field.getKey());
                  }
                } else {
                  validate(field.getValue(), property, where + "." + field.getKey(), problems);
                }
              });
    }
    if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        validate(value.get(i), schema.get("items"), where + "[" + i + "]", problems);
      }
    }
  }
}
