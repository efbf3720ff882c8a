package dev.semblance.internal.gallery;

import dev.semblance.Candidate;
import dev.semblance.spi.Reservoir;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.BiConsumer;
import java.util.function.LongToDoubleFunction;

/**
 * Where a gallery's identities and templates live and how they are searched: in this JVM ({@link
 * MemoryTemplates}) or in a {@link dev.semblance.spi.TemplateStore} ({@link StoreTemplates}). A
 * {@link Backing} orders and logs the changes; this is everything below that.
 *
 * <p>Thread safety: implementations are safe for concurrent use; each call is atomic.
 */
public interface Templates {
  /**
   * Applies {@code change} atomically; whether it changed anything. Settings change no templates: a
   * store records them, memory ignores them.
   *
   * @throws IllegalArgumentException if a rename's source is not enrolled or its target already is
   */
  boolean apply(Change change);

  /** Adds unit vectors to each identity, creating the new ones; in one request to a store. */
  void enrollAll(Map<String, List<float[]>> vectors);

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

  /**
   * Up to {@code count} templates drawn uniformly without replacement, with their identities; the
   * same {@code seed} draws the same ones from the same contents. In memory and by default this
   * reads every template once; a store may draw them itself.
   */
  default List<Map.Entry<String, float[]>> sample(int count, long seed) {
    return Reservoir.sample(this::forEach, count, seed);
  }

  /** The {@code k} most similar identities of each probe, best first, exactly scored. */
  Found search(float[][] probes, int k);

  /**
   * {@link #search(float[][], int)} for a decision at {@code thresholdAt} of the number of
   * templates searched, which an approximate store may use to search less for the probes it finds
   * above it (exact searches ignore it).
   */
  default Found search(float[][] probes, int k, LongToDoubleFunction thresholdAt) {
    return search(probes, k);
  }

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
