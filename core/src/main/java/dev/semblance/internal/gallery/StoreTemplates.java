package dev.semblance.internal.gallery;

import dev.semblance.Candidate;
import dev.semblance.TemplateStoreException;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;
import dev.semblance.spi.TemplateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.BiConsumer;
import java.util.function.LongToDoubleFunction;

/**
 * Templates kept in a {@link TemplateStore}: the store shortlists, this class scores the shortlist
 * exactly with the gallery's kernel and ranks identities by their best template, as the in-memory
 * scan does.
 *
 * <p>Thread safety: as safe as the store, which must be safe for concurrent use.
 */
public final class StoreTemplates implements Templates {
  /** Equal similarities rank by name, so that answers do not depend on the store's order. */
  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingDouble(Candidate::similarity)
          .reversed()
          .thenComparing(Candidate::identity);

  private final TemplateStore store;
  private final VectorKernels kernels = Kernels.get();

  public StoreTemplates(TemplateStore store) {
    this.store = store;
  }

  @Override
  public void enrollAll(Map<String, List<float[]>> vectors) {
    store.add(vectors);
  }

  @Override
  public boolean apply(Change change) {
    if (change instanceof Change.Enroll e) {
      store.add(Map.of(e.identity(), e.templates()));
      return true;
    }
    if (change instanceof Change.Remove r) {
      return store.remove(r.identity());
    }
    if (change instanceof Change.Rename r) {
      store.rename(r.from(), r.to());
      return true;
    }
    if (change instanceof Change.RemoveTemplate t) {
      return store.removeTemplate(t.identity(), t.template());
    }
    Change.Settings s = (Change.Settings) change;
    store.saveSettings(new TemplateStore.Settings(s.threshold(), s.targetFpir()));
    return true;
  }

  @Override
  public boolean contains(String identity) {
    return store.contains(identity);
  }

  @Override
  public SortedSet<String> identities() {
    return store.identities();
  }

  @Override
  public int size() {
    return store.identityCount();
  }

  @Override
  public long templateCount() {
    return store.templateCount();
  }

  @Override
  public List<float[]> templatesOf(String identity) {
    return store.templatesOf(identity);
  }

  @Override
  public float bestOf(String identity, float[] probe) {
    float best = Float.NaN;
    for (float[] template : store.templatesOf(identity)) {
      float s = similarity(probe, template);
      best = Float.isNaN(best) ? s : Math.max(best, s);
    }
    return best;
  }

  @Override
  public void forEach(BiConsumer<String, List<float[]>> action) {
    store.forEach(action);
  }

  @Override
  public List<Map.Entry<String, float[]>> sample(int count, long seed) {
    return store.sample(count, seed);
  }

  @Override
  public Found search(float[][] probes, int k) {
    return ranked(probes, k, store.shortlist(probes, k));
  }

  @Override
  public Found search(float[][] probes, int k, LongToDoubleFunction thresholdAt) {
    return ranked(probes, k, store.shortlist(probes, k, thresholdAt));
  }

  private Found ranked(float[][] probes, int k, TemplateStore.Shortlists shortlists) {
    if (shortlists.perProbe().size() != probes.length) {
      throw new TemplateStoreException(
          "the store answered "
              + shortlists.perProbe().size()
              + " shortlists for "
              + probes.length
              + " probes");
    }
    List<List<Candidate>> ranked = new ArrayList<>(probes.length);
    for (int p = 0; p < probes.length; p++) {
      Map<String, Float> best = new HashMap<>();
      for (TemplateStore.StoredTemplate t : shortlists.perProbe().get(p)) {
        best.merge(t.identity(), similarity(probes[p], t.vector()), Math::max);
      }
      List<Candidate> candidates = new ArrayList<>(best.size());
      best.forEach((identity, s) -> candidates.add(new Candidate(identity, s)));
      candidates.sort(BEST_FIRST);
      ranked.add(List.copyOf(candidates.subList(0, Math.min(k, candidates.size()))));
    }
    return new Found(ranked, shortlists.templateCount());
  }

  private float similarity(float[] probe, float[] template) {
    if (template.length != probe.length) {
      throw new TemplateStoreException(
          "the store holds a "
              + template.length
              + "-d template, the gallery "
              + probe.length
              + "-d");
    }
    return kernels.dot(probe, 0, template, 0, probe.length);
  }

  @Override
  public boolean isAccelerated() {
    return false;
  }

  @Override
  public void close() {
    store.close();
  }
}
