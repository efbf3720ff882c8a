package dev.semblance.opensearch.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * How a template is written to an index: one document per template, its id derived from the
 * identity and the vector (so a retried write overwrites instead of duplicating), the exact floats
 * as Base64 (the k-NN field is only for the shortlist and is not kept in {@code _source}).
 *
 * <p>Thread safety: stateless.
 */
public final class IndexedTemplates {
  /** The k-NN field; excluded from {@code _source}, since {@link #TEMPLATE} holds the floats. */
  public static final String VECTOR = "vector";

  public static final String IDENTITY = "identity";
  public static final String TEMPLATE_ID = "template_id";
  public static final String TEMPLATE = "template";

  private IndexedTemplates() {}

  /** A template as indexed. */
  public record Document(
      String identity,
      @JsonProperty(TEMPLATE_ID) String templateId,
      String template,
      float[] vector) {}

  /** The part of a document a search reads back. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String identity, String template) {}

  public static Document document(String identity, float[] vector) {
    return new Document(identity, id(identity, vector), encode(vector), vector);
  }

  /**
   * The document id of {@code identity}'s {@code vector}: 128 bits of SHA-256 over the name, a zero
   * byte and the floats, in hex.
   */
  public static String id(String identity, float[] vector) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(identity.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(bytes(vector));
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The floats, little-endian, in Base64. */
  public static String encode(float[] vector) {
    return Base64.getEncoder().encodeToString(bytes(vector));
  }

  /**
   * The floats of {@link #encode}.
   *
   * @throws IllegalArgumentException if the text is not Base64 of {@code dimension} floats
   */
  public static float[] decode(String base64, int dimension) {
    byte[] raw = Base64.getDecoder().decode(base64);
    if (raw.length != dimension * Float.BYTES) {
      throw new IllegalArgumentException(
          "a stored template has " + raw.length + " bytes, not " + dimension * Float.BYTES);
    }
    float[] vector = new float[dimension];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }

  private static byte[] bytes(float[] vector) {
    ByteBuffer buffer =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }
}
