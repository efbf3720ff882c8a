package dev.semblance.server.internal;

import dev.semblance.IdentityNames;
import java.text.Normalizer;

/**
 * The rule for a subject's name over HTTP: the gallery's rule for names (not blank, at most 256
 * characters, no control characters), in Unicode NFC so that "Zoë" typed either way is one person,
 * and addressable as one URL path segment: no '/' or '\', not "." or "..". Bidirectional overrides,
 * which make a name display as another, are refused too.
 */
final class SubjectNames {
  private SubjectNames() {}

  /**
   * The name in its stored form.
   *
   * @throws ApiError 400 invalid_subject, naming the rule broken
   */
  static String check(String name) {
    if (name == null) {
      throw ApiError.badRequest("missing_field", "the subject's name is missing");
    }
    String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
    try {
      IdentityNames.check(nfc, "subject");
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_subject", e.getMessage());
    }
    if (nfc.indexOf('/') >= 0 || nfc.indexOf('\\') >= 0) {
      throw ApiError.badRequest("invalid_subject", "subject must not contain '/' or '\\'");
    }
    if (nfc.equals(".") || nfc.equals("..")) {
      throw ApiError.badRequest("invalid_subject", "subject must not be '.' or '..'");
    }
    if (nfc.codePoints().anyMatch(SubjectNames::isBidiControl)) {
      throw ApiError.badRequest(
          "invalid_subject", "subject must not contain bidirectional control characters");
    }
    return nfc;
  }

  private static boolean isBidiControl(int c) {
    return (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x200E
        || c == 0x200F
        || c == 0x061C;
  }
}
