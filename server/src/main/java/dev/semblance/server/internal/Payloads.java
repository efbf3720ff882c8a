package dev.semblance.server.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a request's fields the two ways clients send them: a multipart form (files as parts) or a
 * JSON object (images in Base64, optionally as a {@code data:} URL).
 */
final class Payloads {
  private static final String JSON_BODY = "semblance.json";
  private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]+");

  private final ObjectMapper json;

  Payloads(ObjectMapper json) {
    this.json = json;
  }

  /** The bytes of image field {@code name}; 400 when missing or not Base64. */
  byte[] image(Context ctx, String name) {
    byte[] image = optionalImage(ctx, name);
    if (image == null) {
      throw ApiError.badRequest("missing_field", "the request has no image '" + name + "'");
    }
    return image;
  }

  /** The bytes of image field {@code name}, or null when the request has none. */
  byte[] optionalImage(Context ctx, String name) {
    if (multipart(ctx)) {
      UploadedFile file = ctx.uploadedFile(name);
      if (file == null) {
        return null;
      }
      try (InputStream in = file.content()) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String text = optionalText(ctx, name);
    if (text == null) {
      return null;
    }
    int comma = text.indexOf(',');
    String base64 = text.startsWith("data:") && comma > 0 ? text.substring(comma + 1) : text;
    try {
      // Line breaks are allowed (MIME wraps lines); any other character outside Base64 is not.
      return Base64.getDecoder().decode(LINE_BREAKS.matcher(base64).replaceAll(""));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(
          "invalid_base64", "field '" + name + "' is not Base64: " + e.getMessage());
    }
  }

  /**
   * Reads the whole body now, on the calling thread (Jetty's): a slow upload then holds no model
   * thread, and a malformed body is refused before the request queues for one.
   */
  void readBody(Context ctx) {
    if (multipart(ctx)) {
      ctx.uploadedFileMap();
      ctx.formParamMap();
    } else {
      body(ctx);
    }
  }

  /** Text field {@code name}; 400 when missing. */
  String text(Context ctx, String name) {
    String text = optionalText(ctx, name);
    if (text == null) {
      throw ApiError.badRequest("missing_field", "the request has no field '" + name + "'");
    }
    return text;
  }

  /** Text field {@code name}, or null. */
  String optionalText(Context ctx, String name) {
    if (multipart(ctx)) {
      return ctx.formParam(name);
    }
    JsonNode value = body(ctx).get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiError.badRequest("invalid_field", "field '" + name + "' must be a string");
    }
    return value.asText();
  }

  private JsonNode body(Context ctx) {
    JsonNode cached = ctx.attribute(JSON_BODY);
    if (cached != null) {
      return cached;
    }
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (!type.startsWith("application/json")) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "send application/json or multipart/form-data, not '" + ctx.contentType() + "'");
    }
    JsonNode body;
    try {
      body = json.readTree(ctx.bodyAsBytes());
    } catch (JacksonException e) {
      throw ApiError.badRequest(
          "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest("malformed_json", "the body must be a JSON object");
    }
    ctx.attribute(JSON_BODY, body);
    return body;
  }

  private static boolean multipart(Context ctx) {
    String type = ctx.contentType();
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  /** Query parameter {@code name} as an integer in [min, max], or {@code fallback}; 400 else. */
  static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.badRequest(
        "invalid_parameter",
        "query parameter '" + name + "' must be an integer from " + min + " to " + max);
  }
}
