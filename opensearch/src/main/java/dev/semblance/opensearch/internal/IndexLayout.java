package dev.semblance.opensearch.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.semblance.TemplateStoreException;
import dev.semblance.spi.TemplateStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.indices.GetMappingResponse;
import org.opensearch.client.opensearch.indices.get_mapping.IndexMappingRecord;

/**
 * A gallery's index: created with a strict mapping whose {@code _meta.semblance} records the
 * format, embedder and dimension (checked whenever it is opened, as a gallery directory's header
 * is) and the threshold settings.
 *
 * <p>Thread safety: safe for concurrent use; the settings are replaced whole.
 */
public final class IndexLayout {
  /** The version of the index layout this code writes and reads. */
  static final int FORMAT = 1;

  /** The largest k-NN {@code k} and result window OpenSearch allows by default. */
  public static final int MAX_WIDTH = 10_000;

  private final String index;
  private final String embedderId;
  private final int dimension;
  private volatile Optional<TemplateStore.Settings> settings;

  /** What the index's mapping records in {@code _meta.semblance}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Meta(
      @JsonProperty("format") int format,
      @JsonProperty("embedder_id") String embedderId,
      @JsonProperty("dimension") int dimension,
      @JsonProperty("threshold") Float threshold,
      @JsonProperty("target_fpir") Double targetFpir) {}

  /**
   * How to build the k-NN field of a new index.
   *
   * @param engine {@code lucene} or {@code faiss}
   * @param m HNSW graph degree
   * @param efConstruction HNSW candidate list while building
   * @param halfPrecision faiss only: keep vectors as fp16 (scalar quantisation)
   * @param shards primary shards
   * @param replicas copies of each shard
   */
  public record Options(
      String engine, int m, int efConstruction, boolean halfPrecision, int shards, int replicas) {}

  private IndexLayout(
      String index, String embedderId, int dimension, Optional<TemplateStore.Settings> settings) {
    this.index = index;
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.settings = settings;
  }

  public String index() {
    return index;
  }

  public String embedderId() {
    return embedderId;
  }

  public int dimension() {
    return dimension;
  }

  Optional<TemplateStore.Settings> settings() {
    return settings;
  }

  /**
   * Creates the index of a new gallery.
   *
   * @throws TemplateStoreException if it exists already or the cluster refuses it
   */
  public static IndexLayout create(
      OpenSearchClient client, String index, String embedderId, int dimension, Options options) {
    Map<String, JsonData> parameters = new HashMap<>();
    parameters.put("m", JsonData.of(options.m()));
    parameters.put("ef_construction", JsonData.of(options.efConstruction()));
    if (options.halfPrecision()) {
      parameters.put(
          "encoder", JsonData.of(Map.of("name", "sq", "parameters", Map.of("type", "fp16"))));
    }
    Meta meta = new Meta(FORMAT, embedderId, dimension, null, null);
    try {
      client
          .indices()
          .create(
              c ->
                  c.index(index)
                      .settings(
                          s ->
                              s.knn(true)
                                  .numberOfShards(options.shards())
                                  .numberOfReplicas(options.replicas())
                                  // compact() rewrites every segment holding a removed template.
                                  .customSettings(
                                      "index.merge.policy.expunge_deletes_allowed", JsonData.of(0)))
                      .mappings(
                          m ->
                              m.meta(Map.of("semblance", JsonData.of(meta)))
                                  .dynamic(DynamicMapping.Strict)
                                  .source(src -> src.excludes(IndexedTemplates.VECTOR))
                                  .properties(IndexedTemplates.IDENTITY, p -> p.keyword(k -> k))
                                  .properties(IndexedTemplates.TEMPLATE_ID, p -> p.keyword(k -> k))
                                  .properties(IndexedTemplates.TEMPLATE, p -> p.binary(b -> b))
                                  .properties(
                                      IndexedTemplates.VECTOR,
                                      p ->
                                          p.knnVector(
                                              v ->
                                                  v.dimension(dimension)
                                                      .method(
                                                          method ->
                                                              method
                                                                  .name("hnsw")
                                                                  .engine(options.engine())
                                                                  .spaceType("innerproduct")
                                                                  .parameters(parameters))))));
    } catch (OpenSearchException e) {
      throw new TemplateStoreException(
          "cannot create OpenSearch index '" + index + "': " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new TemplateStoreException("cannot create OpenSearch index '" + index + "': " + e, e);
    }
    return new IndexLayout(index, embedderId, dimension, Optional.empty());
  }

  /**
   * Whether the index exists.
   *
   * @throws TemplateStoreException if the cluster cannot be asked
   */
  public static boolean exists(OpenSearchClient client, String index) {
    try {
      return client.indices().exists(e -> e.index(index)).value();
    } catch (IOException | RuntimeException e) {
      throw new TemplateStoreException(
          "cannot reach OpenSearch to find index '" + index + "': " + e, e);
    }
  }

  /**
   * Opens the index of an existing gallery and checks that it is one, of this embedder.
   *
   * @throws TemplateStoreException if it is missing, not a Semblance gallery, of a newer format,
   *     another embedder or dimension, or the cluster cannot be reached
   */
  public static IndexLayout open(
      OpenSearchClient client, String index, String embedderId, int dimension) {
    GetMappingResponse response;
    try {
      if (!client.indices().exists(e -> e.index(index)).value()) {
        throw new TemplateStoreException(
            "OpenSearch index '" + index + "' does not exist (create the gallery first)");
      }
      response = client.indices().getMapping(g -> g.index(index));
    } catch (OpenSearchException e) {
      throw new TemplateStoreException(
          "cannot open OpenSearch index '" + index + "': " + e.getMessage(), e);
    } catch (IOException e) {
      throw new TemplateStoreException("cannot open OpenSearch index '" + index + "': " + e, e);
    }
    if (response.result().size() != 1) {
      throw new TemplateStoreException(
          "'" + index + "' names " + response.result().size() + " indices, not one gallery");
    }
    IndexMappingRecord record = response.result().values().iterator().next();
    TypeMapping mapping = record.mappings();
    JsonData recorded = mapping.meta() == null ? null : mapping.meta().get("semblance");
    if (recorded == null) {
      throw new TemplateStoreException(
          "OpenSearch index '" + index + "' is not a Semblance gallery (no _meta.semblance)");
    }
    Meta meta;
    try {
      meta = recorded.to(Meta.class);
    } catch (RuntimeException e) {
      throw new TemplateStoreException(
          "OpenSearch index '" + index + "' has a damaged _meta.semblance: " + e.getMessage(), e);
    }
    if (meta.format() > FORMAT) {
      throw new TemplateStoreException(
          "OpenSearch index '"
              + index
              + "' has layout version "
              + meta.format()
              + ", newer than this version of Semblance reads ("
              + FORMAT
              + ")");
    }
    if (!embedderId.equals(meta.embedderId()) || dimension != meta.dimension()) {
      throw new TemplateStoreException(
          "OpenSearch index '"
              + index
              + "' holds "
              + meta.dimension()
              + "-d templates of embedder "
              + meta.embedderId()
              + ", not "
              + dimension
              + "-d of "
              + embedderId);
    }
    Property vector = mapping.properties().get(IndexedTemplates.VECTOR);
    if (vector == null || !vector.isKnnVector() || vector.knnVector().dimension() != dimension) {
      throw new TemplateStoreException(
          "OpenSearch index '" + index + "' lacks a " + dimension + "-d knn_vector field 'vector'");
    }
    Optional<TemplateStore.Settings> settings =
        meta.threshold() == null
            ? Optional.empty()
            : Optional.of(
                new TemplateStore.Settings(
                    meta.threshold(), meta.targetFpir() == null ? Double.NaN : meta.targetFpir()));
    return new IndexLayout(index, embedderId, dimension, settings);
  }

  /** Records the gallery's threshold settings in the mapping's {@code _meta}. */
  void saveSettings(OpenSearchClient client, TemplateStore.Settings saved) throws IOException {
    Meta meta =
        new Meta(
            FORMAT,
            embedderId,
            dimension,
            saved.threshold(),
            Double.isNaN(saved.targetFpir()) ? null : saved.targetFpir());
    client.indices().putMapping(p -> p.index(index).meta(Map.of("semblance", JsonData.of(meta))));
    settings = Optional.of(saved);
  }
}
