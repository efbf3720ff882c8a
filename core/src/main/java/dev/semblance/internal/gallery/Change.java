package dev.semblance.internal.gallery;

import java.util.List;

/**
 * One change to a gallery: the vocabulary that galleries apply, directory logs record and replay
 * ({@link GalleryCodec}), and {@link Backing}s order. Templates are unit vectors of the gallery's
 * dimension, checked before a change is made.
 *
 * <p>Thread safety: immutable records, except that the arrays they carry must not be changed once
 * the record is made.
 */
public sealed interface Change {
  /** Adds templates to {@code identity}, creating it if new. */
  record Enroll(String identity, List<float[]> templates) implements Change {}

  /** Erases {@code identity} and every template of it. */
  record Remove(String identity) implements Change {}

  /** Gives {@code from}'s templates to the new identity {@code to}. */
  record Rename(String from, String to) implements Change {}

  /** Erases every template of {@code identity} equal to {@code template}. */
  record RemoveTemplate(String identity, float[] template) implements Change {}

  /**
   * The open-set threshold settings.
   *
   * @param threshold the threshold in use when recorded
   * @param targetFpir the target false positive identification rate, or NaN for a fixed threshold
   */
  record Settings(float threshold, double targetFpir) implements Change {}
}
