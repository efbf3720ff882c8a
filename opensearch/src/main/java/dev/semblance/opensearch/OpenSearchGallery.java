package dev.semblance.opensearch;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.TemplateStoreException;
import dev.semblance.opensearch.internal.IndexLayout;
import dev.semblance.opensearch.internal.OpenSearchTemplateStore;
import java.time.Duration;
import java.util.Objects;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Galleries whose templates live in an OpenSearch index with the k-NN plugin, for galleries larger
 * than one JVM's memory. The index shortlists templates by approximate nearest-neighbour search;
 * the {@link Gallery} re-scores the shortlist exactly and makes the open-set decision at the
 * threshold for the index's total number of templates, so answers match an in-memory gallery's
 * whenever the shortlist holds the true best templates (see {@link Builder#searchWidth}).
 *
 * <pre>{@code
 * OpenSearchClient client = ...;                  // yours: hosts, TLS, credentials
 * try (Gallery staff = OpenSearchGallery.builder(client, "staff")
 *     .embedder(encoder)
 *     .create()) {                                 // or open() later, from any JVM
 *   staff.enroll("alice", alice);                   // durable and searchable on return
 *   Identification id = staff.identify(probe, 5);
 * }
 * }</pre>
 *
 * <p>A removed identity is unsearchable at once; {@link Gallery#compact()} erases its documents
 * from disk once OpenSearch no longer keeps them for replica recovery (about 30 s after the removal
 * on an index whose copies are all active; docs/scale.md).
 *
 * <p>The client must use Jackson ({@code JacksonJsonpMapper}, the default of the Apache HttpClient
 * 5 transport). The gallery does not close it: the caller owns the client.
 *
 * <p><b>Thread safety.</b> This class holds only static factories. Builders are not thread-safe;
 * the galleries they make are safe for concurrent use, also from several JVMs on one index.
 */
public final class OpenSearchGallery {
  /**
   * How wide each search explores the index's graph by default: 1,000 templates, the narrowest
   * width that gave exactly the in-memory gallery's rank-1 and open-set decisions at 10k, 30k and
   * 100k templates on the half of the benchmark's people set aside for choosing it (docs/scale.md).
   */
  public static final int DEFAULT_SEARCH_WIDTH = 1000;

  private OpenSearchGallery() {}

  /** Starts a gallery kept in {@code index} of the cluster {@code client} talks to. */
  public static Builder builder(OpenSearchClient client, String index) {
    return new Builder(client, index);
  }

  /**
   * Choices for a gallery in OpenSearch: the embedder is required; the rest have defaults.
   *
   * <p><b>Thread safety.</b> Not thread-safe.
   */
  public static final class Builder {
    private final OpenSearchClient client;
    private final String index;
    private String embedderId;
    private int dimension;
    private int searchWidth = DEFAULT_SEARCH_WIDTH;
    private boolean forceRefresh;
    private Duration timeout = Duration.ofSeconds(30);
    private String engine = "lucene";
    private int m = 16;
    private int efConstruction = 100;
    private boolean halfPrecision;
    private int shards = 1;
    private int replicas = 1;

    private Builder(OpenSearchClient client, String index) {
      this.client = Objects.requireNonNull(client, "client");
      Objects.requireNonNull(index, "index");
      checkArgument(
          index.matches("[a-z0-9][a-z0-9_.+-]{0,254}") && !index.equals("..") && !index.equals("."),
          "not a valid OpenSearch index name (lower case, no spaces or \\/*?\"<>|,#:): '%s'",
          index);
      this.index = index;
    }

    /** The gallery holds embeddings of {@code encoder}'s embedder. */
    public Builder embedder(Encoder encoder) {
      return embedder(encoder.embedderId(), encoder.dimension());
    }

    /** The gallery holds {@code dimension}-d embeddings of the embedder {@code embedderId}. */
    public Builder embedder(String embedderId, int dimension) {
      Objects.requireNonNull(embedderId, "embedderId");
      checkArgument(!embedderId.isBlank(), "embedder id must not be blank");
      checkArgument(dimension > 0, "dimension must be positive: %s", dimension);
      this.embedderId = embedderId;
      this.dimension = dimension;
      return this;
    }

    /**
     * How many candidate templates each search explores in the index's graph (the k-NN {@code
     * ef_search}; at least the k asked for); the best {@code max(4k, 40)} found are read back and
     * re-scored. Wider costs time and gains recall. Default {@value #DEFAULT_SEARCH_WIDTH}.
     */
    public Builder searchWidth(int templates) {
      checkArgument(
          templates >= 1 && templates <= IndexLayout.MAX_WIDTH,
          "search width must be in [1, %s]: %s",
          IndexLayout.MAX_WIDTH,
          templates);
      this.searchWidth = templates;
      return this;
    }

    /**
     * Whether a write forces a refresh of the index (visible at once, costly under load) instead of
     * waiting for the next periodic one ({@code refresh=wait_for}, up to the index's refresh
     * interval; the default). Either way a write returns only once visible to searches. Removing an
     * identity always forces one.
     */
    public Builder forceRefresh(boolean force) {
      this.forceRefresh = force;
      return this;
    }

    /** How long the cluster may take over one request before it fails it; default 30 s. */
    public Builder timeout(Duration timeout) {
      checkArgument(
          !timeout.isNegative() && !timeout.isZero() && timeout.toMillis() > 0,
          "timeout must be positive: %s",
          timeout);
      this.timeout = timeout;
      return this;
    }

    /**
     * The k-NN engine and HNSW settings of a new index (ignored by {@link #open()}): engine {@code
     * lucene} (the default; no native library) or {@code faiss}; graph degree {@code m} (16) and
     * build width {@code efConstruction} (100).
     */
    public Builder hnsw(String engine, int m, int efConstruction) {
      checkArgument(
          engine.equals("lucene") || engine.equals("faiss"),
          "engine must be lucene or faiss: %s",
          engine);
      checkArgument(m >= 2 && m <= 128, "m must be in [2, 128]: %s", m);
      checkArgument(efConstruction >= m, "efConstruction must be at least m: %s", efConstruction);
      this.engine = engine;
      this.m = m;
      this.efConstruction = efConstruction;
      return this;
    }

    /** Faiss only: index the vectors as fp16, half the memory (re-scoring stays exact). */
    public Builder halfPrecision(boolean half) {
      this.halfPrecision = half;
      return this;
    }

    /** Primary shards (1) and replicas of each (1) of a new index. */
    public Builder shards(int shards, int replicas) {
      checkArgument(shards >= 1, "shards must be positive: %s", shards);
      checkArgument(replicas >= 0, "replicas must not be negative: %s", replicas);
      this.shards = shards;
      this.replicas = replicas;
      return this;
    }

    /**
     * Creates the index and returns its empty gallery.
     *
     * @throws TemplateStoreException if the index exists or the cluster refuses it
     * @throws IllegalStateException if no embedder was named
     */
    public Gallery create() {
      checkEmbedder();
      checkArgument(
          !halfPrecision || engine.equals("faiss"), "half precision needs the faiss engine");
      IndexLayout layout =
          IndexLayout.create(
              client,
              index,
              embedderId,
              dimension,
              new IndexLayout.Options(engine, m, efConstruction, halfPrecision, shards, replicas));
      return Gallery.over(store(layout));
    }

    /**
     * Opens the gallery of an existing index, after checking that it is one, of this embedder.
     *
     * @throws TemplateStoreException if the index is missing, foreign, of a newer layout, of
     *     another embedder or dimension, or the cluster cannot be reached
     * @throws IllegalStateException if no embedder was named
     */
    public Gallery open() {
      checkEmbedder();
      return Gallery.over(store(IndexLayout.open(client, index, embedderId, dimension)));
    }

    /**
     * Opens the gallery of the index, creating the index first if there is none: what replicas of a
     * server starting together call (one creates it, the others open it).
     *
     * @throws TemplateStoreException as {@link #open()} does
     */
    public Gallery openOrCreate() {
      try {
        return create();
      } catch (TemplateStoreException e) {
        if (!IndexLayout.exists(client, index)) {
          throw e;
        }
        return open(); // it exists: made before, or by a replica just now
      }
    }

    private OpenSearchTemplateStore store(IndexLayout layout) {
      return new OpenSearchTemplateStore(
          client, layout, searchWidth, forceRefresh, timeout.toMillis() + "ms");
    }

    private void checkEmbedder() {
      if (embedderId == null) {
        throw new IllegalStateException("name the embedder first: embedder(encoder)");
      }
    }
  }
}
