// Over 400 lines: most of it is the public API's documentation. The work is delegated to
// internal.gallery (Templates, ThresholdPolicy, GalleryStore); this class checks arguments,
// holds the locks and logs changes of directory galleries.
package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.gallery.GalleryCodec;
import dev.semblance.internal.gallery.GalleryStore;
import dev.semblance.internal.gallery.IdentitySlots;
import dev.semblance.internal.gallery.MemoryTemplates;
import dev.semblance.internal.gallery.RecordCipher;
import dev.semblance.internal.gallery.StoreTemplates;
import dev.semblance.internal.gallery.Templates;
import dev.semblance.internal.gallery.ThresholdPolicy;
import dev.semblance.internal.io.DurableFiles;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.spi.TemplateStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolled identities and their face templates, for open-set identification (1:N). Enrolment is
 * one-shot: an identity is added from one embedding or several, with no retraining; the templates
 * are stored as given and never recomputed per query. A probe is compared with every template; an
 * identity scores its closest template.
 *
 * <pre>{@code
 * Gallery gallery = Gallery.create(encoder);
 * gallery.enroll("alice", encoder.encodeMainFace(Path.of("alice.jpg")).embedding());
 * Identification id = gallery.identify(probe.embedding(), 5);
 * String who = id.match().map(Candidate::identity).orElse("unknown");
 * gallery.save(Path.of("staff.gallery"));
 * }</pre>
 *
 * <p>A gallery records the embedder that produced its templates ({@link #embedderId()}); use it
 * only with an encoder of the same id, since embeddings of different models are not comparable.
 *
 * <p>A gallery lives in memory ({@link #create}, {@link #load}, saved whole with {@link #save}), in
 * a directory ({@link #open}, {@link #directory}), where every change is logged to disk before the
 * call returns, survives crashes, and can be encrypted, or in a {@link TemplateStore} outside the
 * JVM such as an OpenSearch cluster ({@link #over}), for galleries larger than one machine's
 * memory. Close a gallery opened from a directory or a store, or one that uses a GPU, to release
 * its lock, connections or device memory.
 *
 * <p>Searches of galleries in memory or in a directory are exact: every template is compared. A
 * store shortlists templates approximately and the gallery scores the shortlist exactly (see {@link
 * TemplateStore}). {@link GalleryOptions} choose how templates are stored for the scan, whether a
 * GPU helps and which threads share a large search; the answers are the same in every case. Scans
 * use SIMD instructions when the JVM runs with {@code --add-modules jdk.incubator.vector} ({@link
 * #searchKernel()} says which kernels are in use).
 *
 * <p><b>Thread safety.</b> Safe for concurrent use: any number of threads may identify at once;
 * enrolments, removals, threshold changes and compaction of a gallery in memory or a directory are
 * serialised and wait for searches in progress (compaction lets searches continue); a store orders
 * writes itself. {@link #close()} waits for calls in progress.
 */
public final class Gallery implements AutoCloseable {
  /** The FPIR a new gallery of the bundled embedder holds: 1% of strangers wrongly named. */
  public static final double DEFAULT_TARGET_FPIR = 0.01;

  private static final Logger log = LoggerFactory.getLogger(Gallery.class);

  /** A log grows to this plus twice the templates' size before it is compacted. */
  private static final long COMPACT_AFTER_BYTES = 64L << 20;

  private final String embedderId;
  private final int dimension;
  private final GalleryOptions options;
  private final Templates templates;
  private final ThresholdPolicy policy;

  /** Held shared by every call, exclusively by {@link #close()}. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /**
   * Orders the writes of a gallery in this JVM, so that its log replays them as applied; not used
   * with a store, which orders writes itself (and a round trip each would queue every writer).
   */
  private final ReentrantLock writes = new ReentrantLock();

  private final AtomicBoolean compacting = new AtomicBoolean();
  private volatile boolean closed;

  /** The directory this gallery was opened from, or null for one held in memory only. */
  private GalleryStore store;

  private Gallery(String embedderId, int dimension, GalleryOptions options) {
    this(embedderId, dimension, options, null);
  }

  /** A gallery over {@code templates}, or over new ones in memory when null. */
  private Gallery(String embedderId, int dimension, GalleryOptions options, Templates templates) {
    Objects.requireNonNull(embedderId, "embedderId");
    checkArgument(!embedderId.isBlank(), "embedder id must not be blank");
    checkArgument(dimension > 0, "dimension must be positive: %s", dimension);
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.options = Objects.requireNonNull(options, "options");
    this.templates = templates != null ? templates : new MemoryTemplates(dimension, options);
    this.policy = new ThresholdPolicy(embedderId, Verifier.DEFAULT_THRESHOLD, DEFAULT_TARGET_FPIR);
  }

  /** An empty in-memory gallery for the embeddings of {@code encoder}, with default options. */
  public static Gallery create(Encoder encoder) {
    return create(encoder, GalleryOptions.defaults());
  }

  /**
   * An empty in-memory gallery for the embeddings of {@code encoder}, searched with {@code
   * options}.
   */
  public static Gallery create(Encoder encoder, GalleryOptions options) {
    return create(encoder.embedderId(), encoder.dimension(), options);
  }

  /**
   * An empty in-memory gallery, as {@link #create(String, int, GalleryOptions)}, with default
   * options.
   */
  public static Gallery create(String embedderId, int dimension) {
    return create(embedderId, dimension, GalleryOptions.defaults());
  }

  /**
   * An empty in-memory gallery for {@code dimension}-d embeddings of the embedder {@code
   * embedderId}. For the bundled embedder the open-set threshold holds a {@linkplain #setTargetFpir
   * false positive identification rate} of {@link #DEFAULT_TARGET_FPIR} (1%) under the {@linkplain
   * Calibration#bundled() bundled calibration}, tightening as the gallery grows; for other
   * embedders it is {@link Verifier#DEFAULT_THRESHOLD} until set.
   *
   * @throws IllegalArgumentException if the id is blank or the dimension not positive
   * @throws SemblanceException if {@code options} require a GPU and none is usable
   */
  public static Gallery create(String embedderId, int dimension, GalleryOptions options) {
    return new Gallery(embedderId, dimension, options);
  }

  /**
   * A gallery whose templates live in {@code store}, e.g. an OpenSearch index (module {@code
   * semblance-opensearch}). It takes the store's embedder, dimension and saved threshold settings
   * (the new-gallery default when none were saved), and behaves as any other gallery: the same
   * enrolment, removal, open-set decision and target FPIR, computed for the store's total number of
   * templates at each search. Closing the gallery closes the store.
   *
   * <p>Differences, all documented by the store: each search asks the store for a shortlist, so
   * recall depends on its search width; a template is stored once per identity (enrolling it again
   * changes nothing); {@link #compact()} asks the store to purge removed templates.
   */
  public static Gallery over(TemplateStore store) {
    Objects.requireNonNull(store, "store");
    Gallery gallery =
        new Gallery(
            store.embedderId(),
            store.dimension(),
            GalleryOptions.defaults(),
            new StoreTemplates(store));
    store.settings().ifPresent(s -> gallery.policy.restore(s.threshold(), s.targetFpir()));
    return gallery;
  }

  /**
   * Reads a gallery written by {@link #save}, with default options.
   *
   * @throws GalleryFormatException if the file is not a gallery, is damaged or comes from a newer
   *     format version
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Gallery load(Path file) {
    return load(file, GalleryOptions.defaults());
  }

  /**
   * Reads a gallery written by {@link #save}, searched with {@code options}; see {@link
   * #load(Path)}.
   */
  public static Gallery load(Path file, GalleryOptions options) {
    Objects.requireNonNull(options, "options");
    Gallery[] result = new Gallery[1];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      GalleryCodec.read(
          in,
          file.toString(),
          new GalleryCodec.Sink() {
            @Override
            public void header(String embedderId, int dimension, float threshold, double fpir) {
              result[0] = new Gallery(embedderId, dimension, options);
              if (!result[0].policy.restore(threshold, fpir)) {
                log.info(
                    "{} was saved with a target FPIR of {} under a calibration that is not "
                        + "bundled; using its saved threshold {} (call setTargetFpir to follow the rate)",
                    file,
                    fpir,
                    threshold);
              }
            }

            @Override
            public void enroll(String identity, float[][] vectors) {
              result[0].templates.enroll(identity, List.of(vectors)); // the reader checked them
            }

            @Override
            public void remove(String identity) {
              result[0].templates.remove(identity);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read gallery " + file + ": " + e, e);
    }
    return result[0];
  }

  /**
   * Opens the gallery kept in {@code directory} (created if absent) for the embeddings of {@code
   * encoder}, with default options and {@link Durability#GROUP_COMMIT}; see {@link #directory} for
   * the other choices.
   *
   * <pre>{@code
   * try (Gallery staff = Gallery.open(Path.of("staff"), encoder)) {
   *   staff.enroll("alice", alice);   // on disk when this returns
   * }
   * }</pre>
   *
   * @throws GalleryLockedException if the directory is open elsewhere
   * @throws GalleryFormatException if a file is damaged (other than a torn last log record), the
   *     snapshot and log do not belong together, or the directory holds another embedder's or
   *     dimension's templates
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  public static Gallery open(Path directory, Encoder encoder) {
    return directory(directory).embedder(encoder).open();
  }

  /**
   * Starts opening the gallery kept in {@code directory}: name the embedder, then optionally the
   * durability, an encryption key and search options, then {@link GalleryDirectory#open()}.
   *
   * <pre>{@code
   * try (Gallery staff = Gallery.directory(Path.of("staff"))
   *     .embedder(encoder)
   *     .durability(Durability.EVERY_OPERATION)
   *     .encryptionKey(key)                       // AES, from your key management
   *     .open()) { ... }
   * }</pre>
   */
  public static GalleryDirectory directory(Path directory) {
    return new GalleryDirectory(directory);
  }

  /** Opens a directory for {@link GalleryDirectory#open()}. */
  static Gallery openDirectory(
      Path directory,
      String embedderId,
      int dimension,
      GalleryOptions options,
      Durability durability,
      RecordCipher cipher) {
    Gallery gallery = new Gallery(embedderId, dimension, options);
    try {
      gallery.store =
          GalleryStore.open(
              directory, embedderId, dimension, durability, cipher, gallery.new Replay());
    } catch (RuntimeException e) {
      gallery.close();
      throw e;
    }
    return gallery;
  }

  /** Applies a directory's snapshot and log while it is opened. */
  private final class Replay implements GalleryStore.Replay {
    @Override
    public void snapshotSettings(float threshold, double targetFpir) {
      policy.restore(threshold, targetFpir);
    }

    @Override
    public void logHeader(String id, int dim, long generation) {
      // checked by the store
    }

    @Override
    public void enroll(String identity, float[][] vectors) {
      templates.enroll(identity, List.of(vectors));
    }

    @Override
    public void remove(String identity) {
      templates.remove(identity);
    }

    @Override
    public void rename(String from, String to) {
      templates.rename(from, to);
    }

    @Override
    public void removeTemplate(String identity, float[] template) {
      templates.removeTemplate(identity, template);
    }

    @Override
    public void settings(float threshold, double targetFpir) {
      policy.restore(threshold, targetFpir);
    }
  }

  public String embedderId() {
    return embedderId;
  }

  public int dimension() {
    return dimension;
  }

  public GalleryOptions options() {
    return options;
  }

  /** Whether large searches of this gallery run on a device (see {@link Acceleration}). */
  public boolean isAccelerated() {
    return templates.isAccelerated();
  }

  /**
   * The distance kernels searches use in this JVM, e.g. {@code "Panama Vector API, 256-bit"} or
   * {@code "scalar"}; chosen once, and logged then.
   */
  public static String searchKernel() {
    return Kernels.get().name();
  }

  /**
   * The similarity a probe's best candidate must reach to be identified: the fixed threshold, or
   * the one a {@linkplain #setTargetFpir target FPIR} needs at the current number of templates.
   */
  public float threshold() {
    return policy.threshold(templateCount());
  }

  /**
   * Sets the open-set threshold: probes whose best cosine similarity is below it are unknown. A
   * gallery of many identities needs a higher threshold than one-to-one verification for the same
   * false-match rate, since every search makes one comparison per identity.
   *
   * @throws IllegalArgumentException if {@code threshold} is not in [-1, 1]
   */
  public void setThreshold(float threshold) {
    policy.setFixed(threshold);
    logSettings();
  }

  /**
   * Sets the open-set threshold by error rate instead: from now on the threshold is the one at
   * which, according to {@code calibration}, a probe of someone not enrolled is wrongly named with
   * probability {@code fpir}. It tightens as templates are added, since each search makes one
   * comparison per template. A {@link #save saved} gallery records the target; loading it follows
   * the target again when the calibration is the bundled one, else keeps the threshold it had when
   * saved.
   *
   * @throws IllegalArgumentException if the calibration is for another embedder, or {@code fpir} is
   *     not in (0, 1)
   */
  public void setTargetFpir(Calibration calibration, double fpir) {
    policy.setTarget(calibration, fpir);
    logSettings();
  }

  /**
   * Adds templates to {@code identity}, creating it if new.
   *
   * @throws IllegalArgumentException if the name is empty, longer than 256 characters or holds
   *     control characters, no embedding is given, or an embedding's dimension differs from the
   *     gallery's; nothing is added then
   */
  public void enroll(String identity, List<Embedding> embeddings) {
    checkIdentity(identity);
    checkArgument(!embeddings.isEmpty(), "no embedding given for '%s'", identity);
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      checkDimension(e);
      vectors.add(e.toArray());
    }
    long logged =
        write(
            () -> {
              long at = log(() -> GalleryCodec.enrollPayload(identity, vectors, dimension));
              templates.enroll(identity, vectors);
              return at;
            });
    afterWrite(logged);
  }

  /**
   * Adds templates to many identities at once, as {@link #enroll(String, List)} does to each: for
   * filling a gallery, far faster than one call per identity with a store (one bulk request) or a
   * directory (one wait for the disk).
   *
   * @throws IllegalArgumentException as {@link #enroll(String, List)} does, for any identity;
   *     nothing is added then
   */
  public void enrollAll(Map<String, ? extends List<Embedding>> embeddings) {
    Map<String, List<float[]>> vectors = new LinkedHashMap<>();
    embeddings.forEach(
        (identity, list) -> {
          checkIdentity(identity);
          checkArgument(!list.isEmpty(), "no embedding given for '%s'", identity);
          List<float[]> rows = new ArrayList<>(list.size());
          for (Embedding e : list) {
            checkDimension(e);
            rows.add(e.toArray());
          }
          vectors.put(identity, rows);
        });
    if (vectors.isEmpty()) {
      return;
    }
    long logged =
        write(
            () -> {
              long at = -1;
              for (Map.Entry<String, List<float[]>> e : vectors.entrySet()) {
                at = log(() -> GalleryCodec.enrollPayload(e.getKey(), e.getValue(), dimension));
              }
              templates.enrollAll(vectors);
              return at;
            });
    afterWrite(logged);
  }

  /** Adds templates to {@code identity}; see {@link #enroll(String, List)}. */
  public void enroll(String identity, Embedding... embeddings) {
    enroll(identity, List.of(embeddings));
  }

  /**
   * Adds the faces' embeddings to {@code identity} if every face passes {@code policy}: a gallery
   * spoiled by a blurred, tiny or turned-away photo fails every later search for that person.
   *
   * @throws FaceRejectedException naming each refused face and every rule it broke; nothing is
   *     added then
   * @throws IllegalArgumentException as {@link #enroll(String, List)} does, or if a face carries no
   *     quality measurements (build the {@link Encoder} with {@code quality(true)})
   */
  public void enroll(String identity, List<Face> faces, QualityPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    checkArgument(!faces.isEmpty(), "no face given for '%s'", identity);
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < faces.size(); i++) {
      String face = faces.size() == 1 ? "face" : "face " + (i + 1);
      for (String reason : policy.check(faces.get(i))) {
        reasons.add(face + ": " + reason);
      }
    }
    if (!reasons.isEmpty()) {
      throw new FaceRejectedException(
          "refused to enrol '" + identity + "': " + String.join("; ", reasons), reasons);
    }
    enroll(identity, faces.stream().map(Face::embedding).toList());
  }

  /**
   * Removes an identity and all its templates.
   *
   * @return whether the identity was enrolled
   */
  public boolean remove(String identity) {
    long logged =
        write(
            () -> {
              if (store == null) { // no log to keep in order: the templates decide atomically
                return templates.remove(identity) ? -1L : NOT_CHANGED;
              }
              if (!templates.contains(identity)) {
                return NOT_CHANGED;
              }
              long at = log(() -> GalleryCodec.removePayload(identity));
              templates.remove(identity);
              return at;
            });
    afterWrite(logged);
    return logged != NOT_CHANGED;
  }

  /**
   * Gives an enrolled identity a new name, keeping its templates; one atomic change.
   *
   * @throws IllegalArgumentException if {@code from} is not enrolled, {@code to} already is, or
   *     {@code to} breaks the rule for names (see {@link #enroll(String, List)})
   */
  public void rename(String from, String to) {
    checkIdentity(to);
    long logged =
        write(
            () -> {
              if (store != null) {
                checkArgument(templates.contains(from), "identity is not enrolled: '%s'", from);
                checkArgument(!templates.contains(to), "identity is already enrolled: '%s'", to);
              }
              long at = log(() -> GalleryCodec.renamePayload(from, to));
              templates.rename(from, to); // checks again, atomically, where no log orders writes
              return at;
            });
    afterWrite(logged);
  }

  /**
   * Removes one template of {@code identity}: every stored template equal to {@code template}, as
   * {@link #templates} returned it. Removing an identity's last template removes the identity.
   *
   * @return whether a template was removed
   * @throws IllegalArgumentException if the identity is not enrolled or the dimension differs
   */
  public boolean removeTemplate(String identity, Embedding template) {
    checkDimension(template);
    float[] vector = template.toArray();
    long logged =
        write(
            () -> {
              List<float[]> rows = templates.templatesOf(identity);
              checkArgument(!rows.isEmpty(), "identity is not enrolled: '%s'", identity);
              if (store == null) { // no log to keep in order: the templates decide atomically
                return templates.removeTemplate(identity, vector) ? -1L : NOT_CHANGED;
              }
              if (rows.stream().noneMatch(row -> Arrays.equals(row, vector))) {
                return NOT_CHANGED;
              }
              long at = log(() -> GalleryCodec.removeTemplatePayload(identity, vector, dimension));
              templates.removeTemplate(identity, vector);
              return at;
            });
    afterWrite(logged);
    return logged != NOT_CHANGED;
  }

  /** What a write that changed nothing returns instead of its log position. */
  private static final long NOT_CHANGED = -2;

  /**
   * Runs a write of an open gallery: ordered with the other writes of a gallery in this JVM (not of
   * one in a store), never during {@link #close()}.
   *
   * @return {@code action}'s log position: -1 when nothing was logged, {@link #NOT_CHANGED}
   */
  private long write(Supplier<Long> action) {
    lock.readLock().lock();
    try {
      checkOpen();
      boolean ordered = !(templates instanceof StoreTemplates);
      if (ordered) {
        writes.lock();
      }
      try {
        return action.get();
      } finally {
        if (ordered) {
          writes.unlock();
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Appends a record to the directory's log, if this gallery has one; its position, else -1. */
  private long log(Supplier<byte[]> record) {
    return store == null ? -1 : store.append(record.get());
  }

  /** Waits for the log to be durable up to a write's record, then compacts if the log has grown. */
  private void afterWrite(long logged) {
    if (logged < 0) {
      return;
    }
    store.awaitDurable(logged);
    long templateBytes = (long) templateCount() * dimension * Float.BYTES;
    if (store.logBytes() > COMPACT_AFTER_BYTES + 2 * templateBytes
        && compacting.compareAndSet(false, true)) {
      try {
        compact();
      } finally {
        compacting.set(false);
      }
    }
  }

  public boolean contains(String identity) {
    return read(() -> templates.contains(identity));
  }

  /**
   * The enrolled names, sorted; a snapshot. A gallery {@linkplain #over over a store} reads them
   * page by page from it.
   */
  public SortedSet<String> identities() {
    return read(templates::identities);
  }

  /**
   * The templates of {@code identity}, as enrolled; a snapshot.
   *
   * @throws IllegalArgumentException if the identity is not enrolled
   */
  public List<Embedding> templates(String identity) {
    return read(
        () -> {
          List<float[]> rows = templates.templatesOf(identity);
          checkArgument(!rows.isEmpty(), "identity is not enrolled: '%s'", identity);
          List<Embedding> out = new ArrayList<>();
          for (float[] row : rows) {
            out.add(Embedding.ofUnitVector(row));
          }
          return out;
        });
  }

  /**
   * The number of enrolled identities. A gallery {@linkplain #over over a store} reads every name
   * to count them; {@link #templateCount()} is one cheap request there.
   */
  public int size() {
    return read(templates::size);
  }

  /**
   * The number of stored templates, over all identities.
   *
   * @throws ArithmeticException past {@link Integer#MAX_VALUE} (a store can hold more)
   */
  public int templateCount() {
    return Math.toIntExact(read(templates::templateCount));
  }

  /**
   * The {@code k} enrolled identities most similar to {@code probe}, and whether the best is a
   * match at this gallery's threshold.
   *
   * @throws IllegalArgumentException if {@code k < 1} or the dimension differs
   */
  public Identification identify(Embedding probe, int k) {
    return identifyAll(List.of(probe), k).get(0);
  }

  /**
   * {@link #identify} for many probes at once, in order. Far cheaper than one call per probe: each
   * template read from memory is compared with a block of probes while it is in cache.
   *
   * @throws IllegalArgumentException if {@code k < 1} or a probe's dimension differs
   */
  public List<Identification> identifyAll(List<Embedding> probes, int k) {
    checkArgument(k > 0, "k must be positive: %s", k);
    float[][] queries = new float[probes.size()][];
    for (int i = 0; i < queries.length; i++) {
      checkDimension(probes.get(i));
      queries[i] = probes.get(i).toArray();
    }
    if (queries.length == 0) {
      return List.of();
    }
    Templates.Found found = read(() -> templates.search(queries, k));
    // The threshold for the N this search covered (a store may have grown since the last call).
    float t = policy.threshold(found.templateCount());
    List<Identification> result = new ArrayList<>(queries.length);
    for (List<Candidate> hits : found.ranked()) {
      List<Candidate> ranked = new ArrayList<>(hits.size());
      for (Candidate hit : hits) {
        ranked.add(new Candidate(hit.identity(), clamp(hit.similarity())));
      }
      result.add(new Identification(ranked, t));
    }
    return result;
  }

  /**
   * The similarity between {@code probe} and the closest template of {@code identity}.
   *
   * @throws IllegalArgumentException if the identity is not enrolled or the dimension differs
   */
  public float similarityTo(String identity, Embedding probe) {
    checkDimension(probe);
    return read(
        () -> {
          float best = templates.bestOf(identity, probe.toArray());
          checkArgument(!Float.isNaN(best), "identity is not enrolled: '%s'", identity);
          return clamp(best);
        });
  }

  /**
   * Writes the gallery to {@code file} atomically: a temporary file beside it is written, forced to
   * disk and renamed over the target, so a crash leaves either the old file or the new one.
   *
   * @throws UncheckedIOException if the file cannot be written; the old file is then unchanged
   */
  public void save(Path file) {
    write(
        () -> {
          try {
            DurableFiles.replaceOrThrow(file, out -> writeSnapshot(out, null));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot save gallery to " + file + ": " + e, e);
          }
          return -1L;
        });
  }

  /**
   * Rewrites the directory of a gallery {@linkplain #open opened from one} as a snapshot of its
   * current state and an empty log, then overwrites and deletes the old files, so that removed
   * identities leave no trace in them. Searches continue meanwhile; writes wait. A gallery
   * {@linkplain #over over a store} asks the store to purge its removed templates instead.
   *
   * @throws IllegalStateException if this gallery was neither opened from a directory nor made over
   *     a store
   */
  public void compact() {
    write(
        () -> {
          if (templates instanceof StoreTemplates remote) {
            remote.store().compact();
          } else if (store == null) {
            throw new IllegalStateException("this gallery was not opened from a directory");
          } else {
            store.compact(this::writeSnapshot);
          }
          return -1L;
        });
  }

  /** The whole gallery in the snapshot format; the caller orders it with the writes. */
  private void writeSnapshot(OutputStream out, RecordCipher cipher) throws IOException {
    GalleryCodec.Writer writer =
        new GalleryCodec.Writer(
            out, embedderId, dimension, threshold(), policy.targetFpir(), cipher);
    IOException[] failed = {null};
    templates.forEach(
        (name, rows) -> {
          try {
            if (failed[0] == null) {
              writer.enroll(name, rows);
            }
          } catch (IOException e) {
            failed[0] = e;
          }
        });
    if (failed[0] != null) {
      throw failed[0];
    }
    writer.finish();
  }

  /** Records the current settings of a gallery opened from a directory or made over a store. */
  private void logSettings() {
    long logged =
        write(
            () -> {
              if (templates instanceof StoreTemplates remote) {
                remote
                    .store()
                    .saveSettings(new TemplateStore.Settings(threshold(), policy.targetFpir()));
              }
              return log(() -> GalleryCodec.settingsPayload(threshold(), policy.targetFpir()));
            });
    if (logged >= 0) {
      store.awaitDurable(logged);
    }
  }

  /**
   * Releases what the gallery holds outside the Java heap (device memory of an accelerated gallery)
   * and the lock of its directory. A closed gallery refuses further use; files it saved are
   * unaffected. Idempotent.
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        templates.close();
        if (store != null) {
          store.close();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Runs {@code action} under the read lock of an open gallery. */
  private <T> T read(Supplier<T> action) {
    lock.readLock().lock();
    try {
      checkOpen();
      return action.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this gallery has been closed");
    }
  }

  private void checkDimension(Embedding e) {
    checkArgument(
        e.dimension() == dimension,
        "embedding dimension %s does not match the gallery's %s",
        e.dimension(),
        dimension);
  }

  private static void checkIdentity(String identity) {
    IdentitySlots.checkName(identity, "identity");
  }

  private static float clamp(float similarity) {
    return Math.max(-1f, Math.min(1f, similarity));
  }

  @Override
  public String toString() {
    if (closed) {
      return "Gallery[closed, embedder " + embedderId + "]";
    }
    if (templates instanceof StoreTemplates remote) {
      // No identity count: a store counts its identities by reading every name.
      return "Gallery["
          + remote.store()
          + ", "
          + templateCount()
          + " templates, embedder "
          + embedderId
          + "]";
    }
    return "Gallery["
        + size()
        + " identities, "
        + templateCount()
        + " templates, embedder "
        + embedderId
        + ", threshold "
        + threshold()
        + "]";
  }
}
