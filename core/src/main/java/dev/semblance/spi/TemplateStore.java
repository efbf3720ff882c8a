package dev.semblance.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.BiConsumer;
import java.util.function.LongToDoubleFunction;

/**
 * Where a {@link dev.semblance.Gallery} made with {@link dev.semblance.Gallery#over} keeps its
 * templates when they do not live in the JVM: a search cluster, a database. The store holds each
 * identity's unit-length templates and, for a search, <em>shortlists</em> the stored templates that
 * may be closest to each probe (approximately, e.g. by an HNSW index); the gallery re-scores the
 * shortlist exactly with its own kernel, keeps each identity's best template, and makes the
 * open-set decision at the threshold for the store's total number of templates. Answers therefore
 * have exact similarities; only which templates make the shortlist is approximate.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>A write that returns is durable and seen by every shortlist that starts after it.
 *   <li>Adding a template an identity already has changes nothing, so a retried write is safe.
 *   <li>Failures (unreachable, timed out, refused, a damaged or foreign store) throw {@link
 *       dev.semblance.TemplateStoreException}; a store never answers from part of its templates.
 * </ul>
 *
 * <p><b>Thread safety.</b> Implementations must be safe for concurrent use; the gallery does not
 * serialise calls to a store.
 */
public interface TemplateStore extends AutoCloseable {
  /** The embedder whose templates the store holds, as recorded when the store was created. */
  String embedderId();

  /** The templates' dimension, as recorded when the store was created. */
  int dimension();

  /**
   * Adds unit-length templates to each identity, creating the new ones; in as few requests as the
   * store allows, since bulk loading is how large galleries are filled.
   */
  void add(Map<String, List<float[]>> templates);

  /** Removes {@code identity} and every template of it; whether it was there. */
  boolean remove(String identity);

  /**
   * Gives {@code from}'s templates to the new identity {@code to}.
   *
   * @throws IllegalArgumentException if {@code from} is not stored or {@code to} already is
   */
  void rename(String from, String to);

  /** Removes {@code identity}'s templates equal to {@code template}; whether any was there. */
  boolean removeTemplate(String identity, float[] template);

  boolean contains(String identity);

  /** The stored identities, sorted; a snapshot. */
  SortedSet<String> identities();

  /** The number of stored identities. */
  int identityCount();

  /** The number of stored templates over all identities. */
  long templateCount();

  /** The templates of {@code identity}; empty if it is not stored. */
  List<float[]> templatesOf(String identity);

  /** Each identity, in name order, with its templates. */
  void forEach(BiConsumer<String, List<float[]>> action);

  /**
   * Up to {@code count} templates drawn at random, with their identities, for a gallery's
   * self-search ({@code Gallery.calibrateThreshold()}); the same seed should draw the same ones
   * from the same contents. The default reads every template once through {@link #forEach}; a store
   * of millions should draw them itself.
   */
  default List<Map.Entry<String, float[]>> sample(int count, long seed) {
    return Reservoir.sample(this::forEach, count, seed);
  }

  /**
   * For each probe, the stored templates that may be the closest to it, enough for {@code k}
   * identities, with the total number of templates the search covered.
   */
  Shortlists shortlist(float[][] probes, int k);

  /**
   * {@link #shortlist(float[][], int)} for a gallery that decides at {@code thresholdAt} of the
   * number of templates the search covers. A store that searches approximately may search each
   * probe narrowly first and search on only for the probes whose shortlist then holds no template
   * reaching the threshold: a face found above it is decided, while only the full search can show
   * that none is there. The default ignores it.
   */
  default Shortlists shortlist(float[][] probes, int k, LongToDoubleFunction thresholdAt) {
    return shortlist(probes, k);
  }

  /** The gallery's threshold settings as last {@linkplain #saveSettings saved}, if any. */
  Optional<Settings> settings();

  /** Records the gallery's threshold settings with the templates. */
  void saveSettings(Settings settings);

  /** Frees the space of removed templates so that no trace of them stays in the store. */
  void compact();

  /** Releases connections; idempotent. */
  @Override
  void close();

  /** One stored template and the identity it belongs to. */
  record StoredTemplate(String identity, float[] vector) {}

  /**
   * The answer of {@link #shortlist}.
   *
   * @param perProbe for each probe in order, its shortlisted templates (any order)
   * @param templateCount the number of templates stored when the search ran
   */
  record Shortlists(List<List<StoredTemplate>> perProbe, long templateCount) {}

  /**
   * A gallery's open-set threshold settings.
   *
   * @param threshold the threshold in use when saved
   * @param targetFpir the target false positive identification rate, or NaN for a fixed threshold
   */
  record Settings(float threshold, double targetFpir) {}
}
