package dev.semblance.internal.gallery;

import dev.semblance.GalleryOptions;
import dev.semblance.spi.TemplateStore;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A gallery whose templates live in a {@link TemplateStore}: the store orders and persists writes
 * itself (queueing every writer behind one round trip each would serialise a cluster), decides
 * atomically whether a change changes anything, and keeps the settings.
 *
 * <p>Thread safety: as safe as the store, which must be safe for concurrent use.
 */
public final class StoreBacking extends Backing {
  private final TemplateStore store;

  /** A backing over {@code store}, with the threshold settings it saved, if any. */
  public StoreBacking(TemplateStore store, Function<String, ThresholdPolicy> policy) {
    super(
        checked(store).embedderId(),
        store.dimension(),
        GalleryOptions.defaults(),
        new StoreTemplates(store),
        policy.apply(store.embedderId()));
    this.store = store;
    store.settings().ifPresent(s -> this.policy.restore(s.threshold(), s.targetFpir()));
  }

  private static TemplateStore checked(TemplateStore store) {
    checkEmbedder(store.embedderId(), store.dimension());
    return store;
  }

  @Override
  protected boolean write(Change change) {
    return templates.apply(change);
  }

  @Override
  protected void writeAll(Map<String, List<float[]>> vectors) {
    templates.enrollAll(vectors);
  }

  @Override
  protected void compactNow() {
    store.compact();
  }

  /** No identity count: a store counts its identities by reading every name. */
  @Override
  protected String contents() {
    return store + ", " + templates.templateCount() + " templates, embedder " + embedderId();
  }
}
