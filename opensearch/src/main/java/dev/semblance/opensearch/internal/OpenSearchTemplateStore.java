package dev.semblance.opensearch.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.TemplateStoreException;
import dev.semblance.spi.TemplateStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.ShardStatistics;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.Time;
import org.opensearch.client.opensearch._types.aggregations.CompositeAggregate;
import org.opensearch.client.opensearch._types.aggregations.CompositeAggregationSource;
import org.opensearch.client.opensearch._types.aggregations.CompositeBucket;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.MsearchRequest;
import org.opensearch.client.opensearch.core.MsearchResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.core.msearch.MultiSearchItem;
import org.opensearch.client.opensearch.core.msearch.MultiSearchResponseItem;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.core.search.SourceConfig;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gallery's templates in one OpenSearch index (see {@link IndexedTemplates} for the documents and
 * {@link IndexLayout} for the index): searches shortlist by k-NN through the multi-search API;
 * writes are bulk requests that return once durable (the translog is synced per request) and
 * visible (refresh {@code wait_for}, or forced).
 *
 * <p>Thread safety: safe for concurrent use (the client is).
 */
public final class OpenSearchTemplateStore implements TemplateStore {
  private static final Logger log = LoggerFactory.getLogger(OpenSearchTemplateStore.class);

  /** Documents per page when reading templates back in order. */
  private static final int PAGE = 1000;

  /** The most hits one search may answer (the index's default max_result_window). */
  private static final int PAGE_LIMIT = 10_000;

  /** Templates per bulk request: about 8 MB of JSON at 512-d, well under the 100 MB limit. */
  private static final int DOCUMENTS_PER_BULK = 1000;

  /**
   * Templates read back per wanted identity: the graph is searched {@code width} wide, but only the
   * best of what it found (ranked by the engine's own inner products) is fetched and re-scored.
   */
  private static final int FETCHED_PER_CANDIDATE = 4;

  /** Templates read back per probe at least. */
  private static final int MIN_FETCHED = 40;

  /** Probes per multi-search request at most (about 6 kB of JSON each at 512-d). */
  private static final int PROBES_PER_REQUEST = 128;

  /** Bytes of shortlisted templates per multi-search answer at most (the client buffers 100 MB). */
  private static final long ANSWER_BYTES = 32L << 20;

  /** What a search reads of each document: the name and the exact template. */
  private static final SourceConfig TEMPLATE_SOURCE =
      SourceConfig.of(
          src -> src.filter(f -> f.includes(IndexedTemplates.IDENTITY, IndexedTemplates.TEMPLATE)));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenSearchClient client;
  private final IndexLayout layout;
  private final int searchWidth;
  private final Refresh refresh;
  private final Time timeout;

  public OpenSearchTemplateStore(
      OpenSearchClient client,
      IndexLayout layout,
      int searchWidth,
      boolean forceRefresh,
      String timeout) {
    this.client = client;
    this.layout = layout;
    this.searchWidth = searchWidth;
    this.refresh = forceRefresh ? Refresh.True : Refresh.WaitFor;
    this.timeout = Time.of(t -> t.time(timeout));
  }

  @Override
  public String embedderId() {
    return layout.embedderId();
  }

  @Override
  public int dimension() {
    return layout.dimension();
  }

  private String index() {
    return layout.index();
  }

  @Override
  public void add(Map<String, List<float[]>> templates) {
    List<IndexedTemplates.Document> docs = new ArrayList<>();
    templates.forEach(
        (identity, vectors) -> {
          for (float[] vector : vectors) {
            docs.add(IndexedTemplates.document(identity, vector));
          }
        });
    String what =
        templates.size() == 1
            ? "enrol '" + templates.keySet().iterator().next() + "'"
            : "enrol " + templates.size() + " identities";
    for (int from = 0; from < docs.size(); from += DOCUMENTS_PER_BULK) {
      // Only the last request waits for a refresh: it makes the earlier ones visible too.
      boolean last = from + DOCUMENTS_PER_BULK >= docs.size();
      BulkRequest.Builder bulk =
          new BulkRequest.Builder().refresh(last ? refresh : Refresh.False).timeout(timeout);
      for (IndexedTemplates.Document doc :
          docs.subList(from, Math.min(docs.size(), from + DOCUMENTS_PER_BULK))) {
        put(bulk, doc);
      }
      bulk(what, bulk);
    }
  }

  @Override
  public boolean remove(String identity) {
    List<float[]> templates = templatesOf(identity);
    if (templates.isEmpty()) {
      return false;
    }
    BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(refresh).timeout(timeout);
    for (float[] vector : templates) {
      delete(bulk, identity, vector);
    }
    bulk("remove '" + identity + "'", bulk);
    return true;
  }

  @Override
  public void rename(String from, String to) {
    List<float[]> templates = templatesOf(from);
    checkArgument(!templates.isEmpty(), "identity is not enrolled: '%s'", from);
    checkArgument(!contains(to), "identity is already enrolled: '%s'", to);
    // One bulk request: the new name's documents first, then the old name's deleted.
    BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(refresh).timeout(timeout);
    for (float[] vector : templates) {
      put(bulk, IndexedTemplates.document(to, vector));
    }
    for (float[] vector : templates) {
      delete(bulk, from, vector);
    }
    bulk("rename '" + from + "' to '" + to + "'", bulk);
  }

  @Override
  public boolean removeTemplate(String identity, float[] template) {
    String id = IndexedTemplates.id(identity, template);
    return call(
        "remove a template of '" + identity + "'",
        () ->
            client
                .delete(d -> d.index(index()).id(id).refresh(refresh).timeout(timeout))
                .result()
                .jsonValue()
                .equals("deleted"));
  }

  @Override
  public boolean contains(String identity) {
    return count("look up '" + identity + "'", byIdentity(identity)) > 0;
  }

  @Override
  public SortedSet<String> identities() {
    SortedSet<String> names = new TreeSet<>();
    forEachIdentity(names::add);
    return Collections.unmodifiableSortedSet(names);
  }

  @Override
  public int identityCount() {
    int[] count = {0};
    forEachIdentity(name -> count[0]++);
    return count[0];
  }

  @Override
  public long templateCount() {
    return count("count templates", Query.of(q -> q.matchAll(m -> m)));
  }

  @Override
  public List<float[]> templatesOf(String identity) {
    List<float[]> templates = new ArrayList<>();
    scan("read '" + identity + "'", byIdentity(identity), (name, vector) -> templates.add(vector));
    return templates;
  }

  @Override
  public void forEach(BiConsumer<String, List<float[]>> action) {
    String[] current = {null};
    List<float[]> rows = new ArrayList<>();
    scan(
        "read the gallery",
        Query.of(q -> q.matchAll(m -> m)),
        (name, vector) -> {
          if (current[0] != null && !current[0].equals(name)) {
            action.accept(current[0], List.copyOf(rows));
            rows.clear();
          }
          current[0] = name;
          rows.add(vector);
        });
    if (current[0] != null) {
      action.accept(current[0], List.copyOf(rows));
    }
  }

  /**
   * One request, however large the index: each template scores a seeded random number and the
   * highest {@code count} come back. Past one page the default (a full read) draws them.
   */
  @Override
  public List<Map.Entry<String, float[]>> sample(int count, long seed) {
    if (count > PAGE_LIMIT) {
      return TemplateStore.super.sample(count, seed);
    }
    SearchResponse<IndexedTemplates.Source> page =
        call(
            "sample the gallery",
            () ->
                client.search(
                    s ->
                        s.index(index())
                            .size(count)
                            .timeout(timeout.time())
                            .source(TEMPLATE_SOURCE)
                            .query(
                                q ->
                                    q.functionScore(
                                        f ->
                                            f.query(all -> all.matchAll(m -> m))
                                                .functions(
                                                    fn ->
                                                        fn.randomScore(
                                                            r ->
                                                                r.seed(JsonData.of(seed))
                                                                    .field("_seq_no"))))),
                    IndexedTemplates.Source.class));
    checkComplete("sample the gallery", page);
    List<Map.Entry<String, float[]>> sample = new ArrayList<>();
    for (Hit<IndexedTemplates.Source> hit : page.hits().hits()) {
      StoredTemplate t = stored(hit);
      sample.add(Map.entry(t.identity(), t.vector()));
    }
    return sample;
  }

  @Override
  public Shortlists shortlist(float[][] probes, int k) {
    int width = Math.min(IndexLayout.MAX_WIDTH, Math.max(searchWidth, k));
    int fetched = Math.min(width, Math.max(FETCHED_PER_CANDIDATE * k, MIN_FETCHED));
    List<List<StoredTemplate>> perProbe = new ArrayList<>(probes.length);
    long total = 0;
    long hitBytes = dimension() * Float.BYTES * 4L / 3 + 200; // Base64 floats, name, metadata
    int perRequest =
        (int) Math.max(1, Math.min(PROBES_PER_REQUEST, ANSWER_BYTES / (fetched * hitBytes)));
    for (int from = 0; from < probes.length; from += perRequest) {
      int to = Math.min(probes.length, from + perRequest);
      total = shortlist(probes, from, to, width, fetched, perProbe);
    }
    return new Shortlists(perProbe, total);
  }

  /**
   * Shortlists probes {@code from} to {@code to} in one multi-search request, adding to {@code
   * out}: the best {@code fetched} templates of a graph search {@code width} wide. The last search
   * of the request counts the templates.
   */
  private long shortlist(
      float[][] probes, int from, int to, int width, int fetched, List<List<StoredTemplate>> out) {
    MsearchRequest.Builder request = new MsearchRequest.Builder().index(index());
    for (int p = from; p < to; p++) {
      List<Float> vector = new ArrayList<>(probes[p].length);
      for (float v : probes[p]) {
        vector.add(v);
      }
      request.searches(
          s ->
              s.header(h -> h.index(index()))
                  .body(
                      b ->
                          b.size(fetched)
                              .timeout(timeout.time())
                              .source(TEMPLATE_SOURCE)
                              .query(
                                  q ->
                                      q.knn(
                                          knn ->
                                              knn.field(IndexedTemplates.VECTOR)
                                                  .vector(vector)
                                                  .k(fetched)
                                                  .methodParameters(
                                                      "ef_search", JsonData.of(width))))));
    }
    request.searches(
        s ->
            s.header(h -> h.index(index()))
                .body(
                    b ->
                        b.size(0)
                            .timeout(timeout.time())
                            .trackTotalHits(t -> t.enabled(true))
                            .query(q -> q.matchAll(m -> m))));
    MsearchResponse<IndexedTemplates.Source> response =
        call("search", () -> client.msearch(request.build(), IndexedTemplates.Source.class));
    List<MultiSearchResponseItem<IndexedTemplates.Source>> items = response.responses();
    if (items.size() != to - from + 1) {
      throw failure("search", items.size() + " answers to " + (to - from + 1) + " searches");
    }
    for (int i = 0; i < to - from; i++) {
      MultiSearchItem<IndexedTemplates.Source> result = complete("search", items.get(i));
      List<StoredTemplate> shortlist = new ArrayList<>(result.hits().hits().size());
      for (Hit<IndexedTemplates.Source> hit : result.hits().hits()) {
        shortlist.add(stored(hit));
      }
      out.add(shortlist);
    }
    return complete("count templates", items.get(to - from)).hits().total().value();
  }

  /** The search's result, if it is whole: no error, no failed shard, not timed out. */
  private <T> MultiSearchItem<T> complete(String what, MultiSearchResponseItem<T> item) {
    if (item.isFailure()) {
      throw failure(what, describe(item.failure().error()));
    }
    MultiSearchItem<T> result = item.result();
    checkComplete(what, result);
    return result;
  }

  private void checkComplete(String what, SearchResponse<?> result) {
    checkShards(what, result.shards());
    if (result.timedOut()) {
      throw failure(what, "timed out after " + timeout.time() + "; the answer would be partial");
    }
  }

  private void checkShards(String what, ShardStatistics shards) {
    if (shards.failed() > 0) {
      String reason =
          shards.failures().isEmpty() ? "" : ": " + describe(shards.failures().get(0).reason());
      throw failure(
          what,
          shards.failed()
              + " of "
              + shards.total()
              + " shards failed"
              + reason
              + " (no partial answer)");
    }
  }

  private StoredTemplate stored(Hit<IndexedTemplates.Source> hit) {
    IndexedTemplates.Source source = hit.source();
    if (source == null || source.identity() == null || source.template() == null) {
      throw failure("search", "document " + hit.id() + " lacks its identity or template");
    }
    try {
      return new StoredTemplate(
          source.identity(), IndexedTemplates.decode(source.template(), dimension()));
    } catch (IllegalArgumentException e) {
      throw failure("search", "document " + hit.id() + ": " + e.getMessage());
    }
  }

  /** Every stored template matching {@code query}, in identity then template id order. */
  private void scan(String what, Query query, BiConsumer<String, float[]> action) {
    List<FieldValue> after = null;
    while (true) {
      List<FieldValue> searchAfter = after;
      SearchResponse<IndexedTemplates.Source> page =
          call(
              what,
              () ->
                  client.search(
                      s -> {
                        s.index(index())
                            .size(PAGE)
                            .timeout(timeout.time())
                            .query(query)
                            .source(TEMPLATE_SOURCE)
                            .sort(
                                o ->
                                    o.field(
                                        f ->
                                            f.field(IndexedTemplates.IDENTITY)
                                                .order(SortOrder.Asc)))
                            .sort(
                                o ->
                                    o.field(
                                        f ->
                                            f.field(IndexedTemplates.TEMPLATE_ID)
                                                .order(SortOrder.Asc)));
                        if (searchAfter != null) {
                          s.searchAfter(searchAfter);
                        }
                        return s;
                      },
                      IndexedTemplates.Source.class));
      checkComplete(what, page);
      List<Hit<IndexedTemplates.Source>> hits = page.hits().hits();
      for (Hit<IndexedTemplates.Source> hit : hits) {
        StoredTemplate t = stored(hit);
        action.accept(t.identity(), t.vector());
      }
      if (hits.size() < PAGE) {
        return;
      }
      after = hits.get(hits.size() - 1).sort();
    }
  }

  /** Each stored identity once, in name order (a composite aggregation, page by page). */
  private void forEachIdentity(Consumer<String> action) {
    Map<String, FieldValue> after = null;
    while (true) {
      Map<String, FieldValue> afterKey = after;
      SearchResponse<Void> page =
          call(
              "list identities",
              () ->
                  client.search(
                      s ->
                          s.index(index())
                              .size(0)
                              .timeout(timeout.time())
                              .aggregations(
                                  "names",
                                  a ->
                                      a.composite(
                                          c -> {
                                            c.size(PAGE)
                                                .sources(
                                                    Map.of(
                                                        "name",
                                                        CompositeAggregationSource.of(
                                                            src ->
                                                                src.terms(
                                                                    t ->
                                                                        t.field(
                                                                            IndexedTemplates
                                                                                .IDENTITY)))));
                                            if (afterKey != null) {
                                              c.after(afterKey);
                                            }
                                            return c;
                                          })),
                      Void.class));
      checkComplete("list identities", page);
      CompositeAggregate names = page.aggregations().get("names").composite();
      for (CompositeBucket bucket : names.buckets().array()) {
        action.accept(bucket.key().get("name").stringValue());
      }
      if (names.buckets().array().size() < PAGE || names.afterKey() == null) {
        return;
      }
      after = names.afterKey();
    }
  }

  private long count(String what, Query query) {
    return call(
        what,
        () -> {
          var response = client.count(c -> c.index(index()).query(query));
          checkShards(what, response.shards());
          return response.count();
        });
  }

  /** Adds the writing of {@code doc} under its derived id to {@code bulk}. */
  private void put(BulkRequest.Builder bulk, IndexedTemplates.Document doc) {
    bulk.operations(op -> op.index(i -> i.index(index()).id(doc.templateId()).document(doc)));
  }

  /** Adds the deletion of {@code identity}'s {@code vector} to {@code bulk}. */
  private void delete(BulkRequest.Builder bulk, String identity, float[] vector) {
    String id = IndexedTemplates.id(identity, vector);
    bulk.operations(op -> op.delete(d -> d.index(index()).id(id)));
  }

  private void bulk(String what, BulkRequest.Builder bulk) {
    BulkResponse response = call(what, () -> client.bulk(bulk.build()));
    if (response.errors()) {
      for (BulkResponseItem item : response.items()) {
        if (item.error() != null) {
          throw failure(what, "document " + item.id() + ": " + describe(item.error()));
        }
      }
    }
  }

  @Override
  public Optional<Settings> settings() {
    return layout.settings();
  }

  @Override
  public void saveSettings(Settings settings) {
    call(
        "save the threshold",
        () -> {
          layout.saveSettings(client, settings);
          return null;
        });
  }

  @Override
  public void compact() {
    // A force merge of a large index outlasts a client's response timeout: run it as a task and
    // poll it. (The typed client reads neither the task's start nor its status: raw requests.)
    // A flush first: deletes above the last commit's checkpoint would be kept for recovery.
    call("compact", () -> client.indices().flush(f -> f.index(index())));
    String task =
        generic(
                "compact",
                "/" + index() + "/_forcemerge",
                Map.of("only_expunge_deletes", "true", "wait_for_completion", "false"))
            .path("task")
            .asText("");
    if (task.isEmpty()) {
      throw failure("compact", "the force merge started no task");
    }
    while (true) {
      JsonNode status = generic("compact", "/_tasks/" + task, Map.of());
      if (status.hasNonNull("error")) {
        throw failure("compact", status.get("error").toString());
      }
      if (status.path("completed").asBoolean()) {
        break;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TemplateStoreException(message("compact", "interrupted"), e);
      }
    }
    call("compact", () -> client.indices().refresh(r -> r.index(index()))); // merged segments
    log.info("index {}: removed templates expunged", index());
  }

  /** A request the typed client cannot read the answer of; POST when it has parameters. */
  private JsonNode generic(String what, String endpoint, Map<String, String> query) {
    return call(
        what,
        () -> {
          try (Response response =
              client
                  .generic()
                  .execute(
                      Requests.builder()
                          .method(query.isEmpty() ? "GET" : "POST")
                          .endpoint(endpoint)
                          .query(query)
                          .build())) {
            String body = response.getBody().map(Body::bodyAsString).orElse("");
            if (response.getStatus() >= 300) {
              throw failure(what, "HTTP " + response.getStatus() + ": " + body);
            }
            return JSON.readTree(body.isEmpty() ? "{}" : body);
          }
        });
  }

  @Override
  public String toString() {
    return "OpenSearch index '" + index() + "'";
  }

  /** The caller owns the client and closes it. */
  @Override
  public void close() {}

  private static Query byIdentity(String identity) {
    return Query.of(
        q -> q.term(t -> t.field(IndexedTemplates.IDENTITY).value(FieldValue.of(identity))));
  }

  /** A request to the cluster, with its failures as {@link TemplateStoreException}s. */
  interface Request<T> {
    T send() throws IOException;
  }

  private <T> T call(String what, Request<T> request) {
    try {
      return request.send();
    } catch (OpenSearchException e) {
      throw new TemplateStoreException(message(what, describe(e.error())), e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof TemplateStoreException || e instanceof IllegalArgumentException) {
        throw (RuntimeException) e;
      }
      throw new TemplateStoreException(message(what, String.valueOf(e)), e);
    }
  }

  private TemplateStoreException failure(String what, String reason) {
    return new TemplateStoreException(message(what, reason));
  }

  private String message(String what, String reason) {
    return "OpenSearch index '" + index() + "': " + what + " failed: " + reason;
  }

  private static String describe(ErrorCause error) {
    if (error == null) {
      return "unknown error";
    }
    String text = error.type() + ": " + error.reason();
    return error.causedBy() != null
        ? text + " (caused by " + describe(error.causedBy()) + ")"
        : text;
  }
}
