package dev.semblance.internal.gallery;

import dev.semblance.Candidate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Leave-one-identity-out searches of a gallery's own templates: a gallery's identities are
 * strangers to each other, so the share of its templates whose best <em>other</em> identity reaches
 * a threshold is the false positive identification rate at that threshold, at the gallery's real
 * size and with its real people, which no calibration from pairs can know.
 *
 * <p>Thread safety: stateless; the background executor runs one refresh at a time.
 */
final class SelfSearch {
  /** Searches per estimate: 50 false matches at a 1% target. */
  static final int SEARCHES = 5000;

  /** The most searches a low target asks for. */
  static final int MAX_SEARCHES = 20_000;

  private static final int BATCH = 1024;

  /** Runs the refreshes of every gallery, one at a time, on a daemon thread. */
  static final ExecutorService BACKGROUND =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "semblance-self-search");
            t.setDaemon(true);
            return t;
          });

  private SelfSearch() {}

  /** How many searches an estimate at {@code fpir} (NaN: a fixed threshold) should rest on. */
  static int searchesFor(double fpir) {
    if (Double.isNaN(fpir)) {
      return SEARCHES;
    }
    return (int) Math.max(SEARCHES, Math.min(MAX_SEARCHES, Math.ceil(50 / fpir)));
  }

  /**
   * For up to {@code count} templates drawn with {@code seed}, the similarity of the best identity
   * other than its own (−1 when there is none), through the templates' own batch search.
   */
  static float[] bestOthers(Templates templates, int count, long seed) {
    List<Map.Entry<String, float[]>> sample = templates.sample(count, seed);
    float[] best = new float[sample.size()];
    for (int from = 0; from < sample.size(); from += BATCH) {
      int to = Math.min(sample.size(), from + BATCH);
      float[][] probes = new float[to - from][];
      for (int i = from; i < to; i++) {
        probes[i - from] = sample.get(i).getValue();
      }
      List<List<Candidate>> ranked = templates.search(probes, 2).ranked();
      for (int i = from; i < to; i++) {
        best[i] = -1f;
        for (Candidate c : ranked.get(i - from)) {
          if (!c.identity().equals(sample.get(i).getKey())) {
            best[i] = Backing.clamp(c.similarity());
            break;
          }
        }
      }
    }
    return best;
  }
}
