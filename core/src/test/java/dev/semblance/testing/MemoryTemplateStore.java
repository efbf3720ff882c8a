package dev.semblance.testing;

import dev.semblance.spi.TemplateStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * A {@link TemplateStore} in a map, for the tests of the store seam: it keeps every promise of the
 * contract (a template once per identity, writes seen by the next shortlist) and shortlists as an
 * approximate index would, only the {@code width × k} templates nearest each probe, so that a
 * gallery over it must re-score and rank the shortlist itself.
 *
 * <p>Thread safety: safe for concurrent use; every call holds the store's monitor.
 */
public final class MemoryTemplateStore implements TemplateStore {
  private final String embedderId;
  private final int dimension;
  private final int width;
  private final TreeMap<String, List<float[]>> templates = new TreeMap<>();
  private Settings settings;

  public MemoryTemplateStore(String embedderId, int dimension, int width) {
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.width = width;
  }

  @Override
  public String embedderId() {
    return embedderId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public synchronized void add(Map<String, List<float[]>> added) {
    added.forEach(
        (identity, vectors) -> {
          List<float[]> rows = templates.computeIfAbsent(identity, k -> new ArrayList<>());
          for (float[] v : vectors) {
            if (rows.stream().noneMatch(row -> Arrays.equals(row, v))) {
              rows.add(v.clone());
            }
          }
        });
  }

  @Override
  public synchronized boolean remove(String identity) {
    return templates.remove(identity) != null;
  }

  @Override
  public synchronized void rename(String from, String to) {
    if (!templates.containsKey(from) || templates.containsKey(to)) {
      throw new IllegalArgumentException("cannot rename '" + from + "' to '" + to + "'");
    }
    templates.put(to, templates.remove(from));
  }

  @Override
  public synchronized boolean removeTemplate(String identity, float[] template) {
    List<float[]> rows = templates.get(identity);
    if (rows == null || !rows.removeIf(row -> Arrays.equals(row, template))) {
      return false;
    }
    if (rows.isEmpty()) {
      templates.remove(identity);
    }
    return true;
  }

  @Override
  public synchronized boolean contains(String identity) {
    return templates.containsKey(identity);
  }

  @Override
  public synchronized SortedSet<String> identities() {
    return new TreeSet<>(templates.keySet());
  }

  @Override
  public synchronized int identityCount() {
    return templates.size();
  }

  @Override
  public synchronized long templateCount() {
    return templates.values().stream().mapToLong(List::size).sum();
  }

  @Override
  public synchronized List<float[]> templatesOf(String identity) {
    return templates.getOrDefault(identity, List.of()).stream().map(float[]::clone).toList();
  }

  @Override
  public synchronized void forEach(BiConsumer<String, List<float[]>> action) {
    templates.forEach((identity, rows) -> action.accept(identity, List.copyOf(rows)));
  }

  @Override
  public synchronized Shortlists shortlist(float[][] probes, int k) {
    List<List<StoredTemplate>> perProbe = new ArrayList<>();
    for (float[] probe : probes) {
      List<StoredTemplate> all = new ArrayList<>();
      templates.forEach(
          (identity, rows) -> rows.forEach(r -> all.add(new StoredTemplate(identity, r))));
      all.sort(Comparator.comparingDouble((StoredTemplate t) -> -dot(probe, t.vector())));
      perProbe.add(List.copyOf(all.subList(0, Math.min(all.size(), width * k))));
    }
    return new Shortlists(perProbe, templateCount());
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public synchronized Optional<Settings> settings() {
    return Optional.ofNullable(settings);
  }

  @Override
  public synchronized void saveSettings(Settings settings) {
    this.settings = settings;
  }

  @Override
  public void compact() {
    // Removed templates leave nothing behind in a map.
  }

  /** Nothing to release: the map outlives its galleries, as an index outlives its clients. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "MemoryTemplateStore";
  }
}
