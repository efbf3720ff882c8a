package dev.semblance.internal.gallery;

import dev.semblance.Candidate;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.BiConsumer;

/**
 * Where a gallery's identities and templates live and how they are searched: in this JVM ({@link
 * MemoryTemplates}) or in a {@link dev.semblance.spi.TemplateStore} ({@link StoreTemplates}). The
 * gallery checks arguments and keeps its directory's log; this is everything below that.
 *
 * <p>Thread safety: implementations are safe for concurrent use; each call is atomic.
 */
public interface Templates {
  /** Adds unit vectors to {@code identity}, creating it if new. */
  default void enroll(String identity, List<float[]> vectors) {
    enrollAll(Map.of(identity, vectors));
  }

  /** Adds unit vectors to each identity, creating the new ones. */
  void enrollAll(Map<String, List<float[]>> vectors);

  /** Removes {@code identity} and its templates; whether it was enrolled. */
  boolean remove(String identity);

  /**
   * Gives an enrolled identity a new name, keeping its templates.
   *
   * @throws IllegalArgumentException if {@code from} is not enrolled or {@code to} already is
   */
  void rename(String from, String to);

  /** Removes {@code identity}'s templates equal to {@code template}; whether any was removed. */
  boolean removeTemplate(String identity, float[] template);

  boolean contains(String identity);

  SortedSet<String> identities();

  int size();

  long templateCount();

  /** Copies of the templates of {@code identity}; empty if it is not enrolled. */
  List<float[]> templatesOf(String identity);

  /**
   * The similarity of {@code probe} to the closest template of {@code identity}; NaN if it is not
   * enrolled.
   */
  float bestOf(String identity, float[] probe);

  /** Each identity, in name order, with its templates. */
  void forEach(BiConsumer<String, List<float[]>> action);

  /** The {@code k} most similar identities of each probe, best first, exactly scored. */
  Found search(float[][] probes, int k);

  /** Whether large searches run on a device. */
  boolean isAccelerated();

  /** Releases device memory or connections; idempotent. */
  void close();

  /**
   * The answer of a search.
   *
   * @param ranked for each probe, its candidates best first
   * @param templateCount the templates searched: the N of the open-set threshold
   */
  record Found(List<List<Candidate>> ranked, long templateCount) {}
}
