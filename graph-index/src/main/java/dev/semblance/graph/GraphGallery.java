package dev.semblance.graph;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.graph.internal.GraphTemplateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Galleries of millions of templates on one machine, in a directory. A log of every change is the
 * truth; the float32 templates sit in a file read through memory maps (the page cache, not the
 * heap, holds them); a graph index (jvector: Vamana edges with hierarchical entry layers) over a
 * copy of them as bytes on the heap (a quarter of their size: 512 B a 512-d template, beside about
 * 470 B of edges out and 140 B of edges in) shortlists each search, and the {@link Gallery}
 * re-scores the shortlist exactly on the float32 templates and takes the open-set decision at the
 * threshold for the gallery's real number of templates. Answers have exact similarities; only which
 * templates make the shortlist is approximate (see {@link Builder#searchWidth}).
 *
 * <pre>{@code
 * try (Gallery staff = GraphGallery.builder(Path.of("staff"))
 *     .embedder(encoder)
 *     .openOrCreate()) {
 *   staff.enroll("alice", alice);                   // durable and searchable on return
 *   Identification id = staff.identify(probe, 5);
 * }
 * }</pre>
 *
 * <p>The graph is derived from the log: closing the gallery saves it, opening loads it and adds the
 * templates logged after it was saved; after a crash (no saved graph) opening rebuilds it from the
 * templates, which takes time in proportion to their number (docs/performance.md). A removed
 * identity is never returned again; {@link Gallery#compact()} writes the live templates to new
 * files with a new graph and deletes the old ones. The files are not encrypted: keep the directory
 * on an encrypted volume where templates must be protected at rest. A search reads thousands of
 * rows scattered over the heap: with millions of templates, run the JVM with {@code
 * -XX:+UseTransparentHugePages} (17–25% faster at a million, docs/scale.md).
 *
 * <p><b>Thread safety.</b> This class holds only static factories. Builders are not thread-safe;
 * the galleries they make are safe for concurrent use. One process opens a directory at a time.
 */
public final class GraphGallery {
  /**
   * How many candidates each search keeps while it walks the graph by default: 800. On the half of
   * the benchmark's people set aside for choosing it, at a million templates, 5 of 1,423 open-set
   * decisions then differed from exact search's (14 ms a probe on two cores) and none at 3,200 (46
   * ms); at 100,000 templates none differed from 200 up (docs/scale.md). Measure on your own data.
   */
  public static final int DEFAULT_SEARCH_WIDTH = 800;

  /**
   * The beam of a search's first pass by default: 100. At a million templates (the benchmark's
   * choosing half) it named the faces in the gallery in 2.7 ms instead of 14 ms at width 800, with
   * the same decisions; unknown faces took 1.7 ms more (docs/scale.md).
   */
  public static final int DEFAULT_FIRST_PASS_WIDTH = 100;

  /** Edges per template in the graph by default (jvector's recommendation for 512-d embeddings). */
  public static final int DEFAULT_DEGREE = 32;

  /** How many candidates placing a new template considers by default. */
  public static final int DEFAULT_BUILD_WIDTH = 100;

  private GraphGallery() {}

  /** Starts a gallery kept in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * Choices for a graph gallery: the embedder is required to create one; the rest have defaults.
   *
   * <p><b>Thread safety.</b> Not thread-safe.
   */
  public static final class Builder {
    private final Path directory;
    private String embedderId;
    private int dimension;
    private int searchWidth = DEFAULT_SEARCH_WIDTH;
    private int firstPassWidth = DEFAULT_FIRST_PASS_WIDTH;
    private int degree = DEFAULT_DEGREE;
    private int buildWidth = DEFAULT_BUILD_WIDTH;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
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
     * How many candidates a search keeps while it walks the graph (HNSW's {@code ef_search}; at
     * least the {@code max(4k, 40)} templates handed back for re-scoring); the templates with an
     * edge into those candidates are scored too. Wider costs time and gains recall. Default {@value
     * #DEFAULT_SEARCH_WIDTH}.
     */
    public Builder searchWidth(int candidates) {
      checkArgument(
          candidates >= 1 && candidates <= 100_000,
          "search width must be in [1, 100000]: %s",
          candidates);
      this.searchWidth = candidates;
      return this;
    }

    /**
     * The beam of a first, narrow pass of each search (default {@value #DEFAULT_FIRST_PASS_WIDTH};
     * 0: none). A probe for which it finds a template at the gallery's threshold is answered from
     * it; only the others are searched at the full {@link #searchWidth}. A face in the gallery is
     * found sooner, a stranger costs the narrow pass more, and the open-set decision is the one the
     * full search would take unless someone else also reaches the threshold beyond the narrow
     * pass's reach. The candidates after the first are then the narrow pass's: set 0 where ranked
     * lists matter more than decisions. It pays where the narrow pass finds most enrolled faces: a
     * known face took 2.7 ms instead of 14 ms in a benchmark gallery of a million, but at ten
     * million of the same kind it found too few and every search got slower (docs/scale.md).
     */
    public Builder firstPass(int width) {
      checkArgument(
          width >= 0 && width <= 100_000, "first pass width must be in [0, 100000]: %s", width);
      this.firstPassWidth = width;
      return this;
    }

    /**
     * The graph's edges per template ({@code degree}, default {@value #DEFAULT_DEGREE}) and how
     * many candidates placing a template considers ({@code buildWidth}, default {@value
     * #DEFAULT_BUILD_WIDTH}); used whenever the graph is built, also on opening.
     */
    public Builder graph(int degree, int buildWidth) {
      checkArgument(degree >= 4 && degree <= 256, "degree must be in [4, 256]: %s", degree);
      checkArgument(
          buildWidth >= degree && buildWidth <= 10_000,
          "build width must be in [degree, 10000]: %s",
          buildWidth);
      this.degree = degree;
      this.buildWidth = buildWidth;
      return this;
    }

    /**
     * A new gallery in {@code directory}, which must be absent or empty.
     *
     * @throws IllegalStateException if no embedder was given
     * @throws IllegalArgumentException if the directory holds files
     */
    public Gallery create() {
      if (embedderId == null) {
        throw new IllegalStateException("set the embedder before creating a graph gallery");
      }
      return Gallery.over(GraphTemplateStore.create(directory, embedderId, dimension, settings()));
    }

    /**
     * The gallery in {@code directory}, with the embedder it was created with (a different one
     * given here is refused).
     *
     * @throws dev.semblance.GalleryFormatException if the directory holds no graph gallery
     * @throws dev.semblance.GalleryLockedException if another gallery has it open
     * @throws IllegalArgumentException if it holds another embedder's templates
     */
    public Gallery open() {
      GraphTemplateStore store = GraphTemplateStore.open(directory, settings());
      if (embedderId != null
          && (!store.embedderId().equals(embedderId) || store.dimension() != dimension)) {
        String held = store.embedderId() + " (" + store.dimension() + "-d)";
        store.close();
        throw new IllegalArgumentException(
            "the graph gallery at "
                + directory
                + " holds templates of "
                + held
                + ", not of "
                + embedderId
                + " ("
                + dimension
                + "-d)");
      }
      return Gallery.over(store);
    }

    /** {@link #open()} if the directory holds a gallery, else {@link #create()}. */
    public Gallery openOrCreate() {
      return Files.isDirectory(directory) && hasLog() ? open() : create();
    }

    private boolean hasLog() {
      try (var files = Files.list(directory)) {
        return files.anyMatch(f -> f.getFileName().toString().matches("changes-\\d+\\.log"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private GraphTemplateStore.Settings settings() {
      return new GraphTemplateStore.Settings(searchWidth, degree, buildWidth, firstPassWidth);
    }
  }
}
