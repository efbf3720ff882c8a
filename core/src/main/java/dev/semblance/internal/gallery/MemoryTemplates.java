package dev.semblance.internal.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Candidate;
import dev.semblance.GalleryOptions;
import dev.semblance.TemplateStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Templates held in this JVM and searched exactly by the SIMD (or device) scan of {@link
 * TemplateMatrix}: the default.
 *
 * <p>Thread safety: safe for concurrent use; searches run together, changes one at a time.
 */
public final class MemoryTemplates implements Templates {
  private final IdentitySlots slots;
  private final GalleryOptions options;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  public MemoryTemplates(int dimension, GalleryOptions options) {
    TemplateMatrix matrix = new TemplateMatrix(dimension, options.storage());
    Accelerators.indexFor(
            options.acceleration(), dimension, options.storage() == TemplateStorage.FLOAT16)
        .ifPresent(matrix::attach);
    this.slots = new IdentitySlots(matrix);
    this.options = options;
  }

  @Override
  public void enrollAll(Map<String, List<float[]>> vectors) {
    write(() -> vectors.forEach(slots::enroll));
  }

  @Override
  public boolean apply(Change change) {
    return write(
        () -> {
          if (change instanceof Change.Enroll e) {
            slots.enroll(e.identity(), e.templates());
            return true;
          }
          if (change instanceof Change.Remove r) {
            return slots.remove(r.identity());
          }
          if (change instanceof Change.Rename r) {
            checkArgument(slots.contains(r.from()), "identity is not enrolled: '%s'", r.from());
            checkArgument(!slots.contains(r.to()), "identity is already enrolled: '%s'", r.to());
            slots.rename(r.from(), r.to());
            return true;
          }
          if (change instanceof Change.RemoveTemplate t) {
            return slots.contains(t.identity()) && slots.removeTemplate(t.identity(), t.template());
          }
          return false; // settings belong to the gallery's threshold policy
        });
  }

  @Override
  public boolean contains(String identity) {
    return read(() -> slots.contains(identity));
  }

  @Override
  public SortedSet<String> identities() {
    return read(slots::identities);
  }

  @Override
  public int size() {
    return read(slots::size);
  }

  @Override
  public long templateCount() {
    return read(() -> slots.templates().rowCount());
  }

  @Override
  public List<float[]> templatesOf(String identity) {
    return read(() -> slots.contains(identity) ? slots.templatesOf(identity) : List.of());
  }

  @Override
  public float bestOf(String identity, float[] probe) {
    return read(() -> slots.contains(identity) ? slots.bestOf(identity, probe) : Float.NaN);
  }

  @Override
  public void forEach(BiConsumer<String, List<float[]>> action) {
    read(
        () -> {
          slots.forEach(action);
          return null;
        });
  }

  @Override
  public Found search(float[][] probes, int k) {
    return read(
        () -> {
          List<List<Candidate>> ranked = new ArrayList<>(probes.length);
          for (List<IdentitySlots.Hit> hits : slots.search(probes, k, options)) {
            List<Candidate> candidates = new ArrayList<>(hits.size());
            for (IdentitySlots.Hit hit : hits) {
              candidates.add(new Candidate(hit.identity(), hit.similarity()));
            }
            ranked.add(candidates);
          }
          return new Found(ranked, slots.templates().rowCount());
        });
  }

  @Override
  public boolean isAccelerated() {
    return slots.templates().isAccelerated();
  }

  @Override
  public void close() {
    write(
        () -> {
          slots.templates().detach();
          return null;
        });
  }

  private <T> T read(Supplier<T> action) {
    lock.readLock().lock();
    try {
      return action.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> action) {
    lock.writeLock().lock();
    try {
      return action.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void write(Runnable action) {
    write(
        () -> {
          action.run();
          return null;
        });
  }
}
