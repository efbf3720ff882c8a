// Mostly the public API's documentation: this class checks arguments and hands every call to its
// Backing (memory, logged directory or store), which orders the changes and guards closing.
package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.gallery.Backing;
import dev.semblance.internal.gallery.Change;
import dev.semblance.internal.gallery.MemoryBacking;
import dev.semblance.internal.gallery.StoreBacking;
import dev.semblance.internal.gallery.Templates;
import dev.semblance.internal.gallery.ThresholdPolicy;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.spi.TemplateStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;

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
 * a crash-safe, optionally encrypted directory ({@link #open}, {@link #directory}) or in a {@link
 * TemplateStore} such as an OpenSearch index ({@link #over}); every one answers alike. Searches in
 * memory or a directory compare every template; a store shortlists and the gallery scores the
 * shortlist exactly. Close a gallery opened from a directory or a store, or one on a GPU.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use: any number of threads may identify at once;
 * enrolments, removals, threshold changes and compaction of a gallery in memory or a directory are
 * serialised and wait for searches in progress (compaction lets searches continue); a store orders
 * writes itself. {@link #close()} waits for calls in progress.
 */
public final class Gallery implements AutoCloseable {
  /** The FPIR a new gallery of the bundled embedder holds: 1% of strangers wrongly named. */
  public static final double DEFAULT_TARGET_FPIR = 0.01;

  private final Backing backing;
  private volatile Telemetry telemetry = Telemetry.NONE;

  Gallery(Backing backing) {
    this.backing = backing;
  }

  /** The threshold policy of a new gallery of {@code embedderId}. */
  static ThresholdPolicy newPolicy(String embedderId) {
    return new ThresholdPolicy(embedderId, Verifier.DEFAULT_THRESHOLD, DEFAULT_TARGET_FPIR);
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
    Objects.requireNonNull(options, "options");
    return new Gallery(
        new MemoryBacking(embedderId, dimension, options, Gallery.newPolicy(embedderId)));
  }

  /**
   * A gallery whose templates live in {@code store}, e.g. an OpenSearch index (module {@code
   * semblance-opensearch}), with the store's embedder, dimension and saved threshold settings. It
   * answers as any other gallery, at the threshold for the store's number of templates at each
   * search; recall depends on the store's shortlist, a template is stored once per identity, and
   * {@link #compact()} asks the store to purge removed templates. Closing it closes the store.
   */
  public static Gallery over(TemplateStore store) {
    Objects.requireNonNull(store, "store");
    return new Gallery(new StoreBacking(store, Gallery::newPolicy));
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
    return new Gallery(MemoryBacking.load(file, options, Gallery::newPolicy));
  }

  /**
   * Opens the gallery kept in {@code directory} (created if absent) for the embeddings of {@code
   * encoder}, with default options and {@link Durability#GROUP_COMMIT}: each change is on disk when
   * its call returns. {@link #directory} has the other choices, {@link GalleryDirectory#open()} the
   * failures.
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

  public String embedderId() {
    return backing.embedderId();
  }

  public int dimension() {
    return backing.dimension();
  }

  public GalleryOptions options() {
    return backing.options();
  }

  /** Whether large searches of this gallery run on a device (see {@link Acceleration}). */
  public boolean isAccelerated() {
    return backing.read(Templates::isAccelerated);
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
    return backing.policy().threshold(templateCount());
  }

  /**
   * The threshold, which estimate set it, the FPIR expected at it (with a 90% interval) and whether
   * the target FPIR is held. Cheap: it searches nothing.
   */
  public ThresholdReport thresholdReport() {
    return backing.thresholdReport();
  }

  /**
   * Calibrates the open-set threshold on this gallery's own people: searches a sample of its
   * templates (5,000, more for targets below 1%) against the rest of the gallery, leaving each
   * one's identity out. Enrolled people are strangers to each other, so the share whose best other
   * identity reaches a threshold is the FPIR there, at this gallery's real size and with its real
   * look-alikes, where a calibration from pairs must assume that a stranger's comparisons are
   * independent (which makes it too strict past ten thousand identities). Once the sample holds at
   * least ten searches per unit of the target (1,000 at 1%), the target FPIR follows this estimate;
   * smaller galleries keep the calibration. The estimate is searched again in the background when
   * the gallery has grown or shrunk by a tenth since, and is not saved.
   *
   * <p>Costs as many searches as it samples, through the gallery's own batch search (memory, a
   * directory or a store alike). It assumes strangers come from the same population as the enrolled
   * people, and a person enrolled twice under two names makes it stricter.
   *
   * @return the report at the new estimate
   */
  public ThresholdReport calibrateThreshold() {
    return backing.searchSelf();
  }

  /**
   * Sets the open-set threshold: probes whose best cosine similarity is below it are unknown. A
   * gallery of many identities needs a higher threshold than one-to-one verification for the same
   * false-match rate, since every search makes one comparison per identity.
   *
   * @throws IllegalArgumentException if {@code threshold} is not in [-1, 1]
   */
  public void setThreshold(float threshold) {
    backing.policy().setFixed(threshold);
    backing.saveSettings();
  }

  /**
   * Sets the open-set threshold by error rate instead: from now on the threshold is the one at
   * which a probe of someone not enrolled is wrongly named with probability {@code fpir}: according
   * to the gallery's own {@linkplain #calibrateThreshold() self-search} once there is one, else to
   * {@code calibration}, which tightens it as templates are added, since each search makes one
   * comparison per template. {@link #thresholdReport()} says which and whether the target is held.
   * A {@link #save saved} gallery records the target; loading it follows the target again when the
   * calibration is the bundled one, else keeps the threshold it had when saved.
   *
   * @throws IllegalArgumentException if the calibration is for another embedder, or {@code fpir} is
   *     not in (0, 1)
   */
  public void setTargetFpir(Calibration calibration, double fpir) {
    backing.policy().setTarget(calibration, fpir);
    backing.saveSettings();
  }

  /**
   * Adds templates to {@code identity}, creating it if new.
   *
   * @throws IllegalArgumentException if the name is empty, longer than 256 characters or holds
   *     control characters, no embedding is given, or an embedding's dimension differs from the
   *     gallery's; nothing is added then
   */
  public void enroll(String identity, List<Embedding> embeddings) {
    IdentityNames.check(identity, "identity");
    checkArgument(!embeddings.isEmpty(), "no embedding given for '%s'", identity);
    backing.apply(new Change.Enroll(identity, vectors(embeddings)));
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
          IdentityNames.check(identity, "identity");
          checkArgument(!list.isEmpty(), "no embedding given for '%s'", identity);
          vectors.put(identity, vectors(list));
        });
    if (!vectors.isEmpty()) {
      backing.enrollAll(vectors);
    }
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
    checkArgument(!faces.isEmpty(), "no face given for '%s'", identity);
    try {
      policy.requireAll(identity, faces);
    } catch (FaceRejectedException e) {
      telemetry.enrolmentRefused(e.rules());
      throw e;
    }
    enroll(identity, faces.stream().map(Face::embedding).toList());
  }

  /**
   * Removes an identity and all its templates.
   *
   * @return whether the identity was enrolled
   */
  public boolean remove(String identity) {
    return backing.apply(new Change.Remove(identity));
  }

  /**
   * Gives an enrolled identity a new name, keeping its templates; one atomic change.
   *
   * @throws IllegalArgumentException if {@code from} is not enrolled, {@code to} already is, or
   *     {@code to} breaks the rule for names (see {@link #enroll(String, List)})
   */
  public void rename(String from, String to) {
    IdentityNames.check(to, "identity");
    backing.apply(new Change.Rename(from, to));
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
    checkArgument(contains(identity), "identity is not enrolled: '%s'", identity);
    return backing.apply(new Change.RemoveTemplate(identity, template.toArray()));
  }

  public boolean contains(String identity) {
    return backing.read(t -> t.contains(identity));
  }

  /**
   * The enrolled names, sorted; a snapshot. A gallery {@linkplain #over over a store} reads them
   * page by page from it.
   */
  public SortedSet<String> identities() {
    return backing.read(Templates::identities);
  }

  /**
   * The templates of {@code identity}, as enrolled; a snapshot.
   *
   * @throws IllegalArgumentException if the identity is not enrolled
   */
  public List<Embedding> templates(String identity) {
    List<float[]> rows = backing.read(t -> t.templatesOf(identity));
    checkArgument(!rows.isEmpty(), "identity is not enrolled: '%s'", identity);
    return rows.stream().map(Embedding::ofUnitVector).toList();
  }

  /**
   * The number of enrolled identities. A gallery {@linkplain #over over a store} reads every name
   * to count them; {@link #templateCount()} is one cheap request there.
   */
  public int size() {
    return backing.read(Templates::size);
  }

  /**
   * The number of stored templates, over all identities.
   *
   * @throws ArithmeticException past {@link Integer#MAX_VALUE} (a store can hold more)
   */
  public int templateCount() {
    return Math.toIntExact(backing.read(Templates::templateCount));
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
    float[][] queries = vectors(probes).toArray(new float[0][]);
    if (queries.length == 0) {
      return List.of();
    }
    long start = System.nanoTime();
    List<Identification> answers = backing.identify(queries, k);
    telemetry.identified(queries.length, System.nanoTime() - start);
    return answers;
  }

  /**
   * Reports every identification and every enrolment refused by a {@link QualityPolicy} to {@code
   * telemetry} from now on, in place of the telemetry set before; {@link Telemetry#NONE} stops it.
   */
  public void setTelemetry(Telemetry telemetry) {
    this.telemetry = GuardedTelemetry.of(Objects.requireNonNull(telemetry, "telemetry"));
  }

  /**
   * The similarity between {@code probe} and the closest template of {@code identity}.
   *
   * @throws IllegalArgumentException if the identity is not enrolled or the dimension differs
   */
  public float similarityTo(String identity, Embedding probe) {
    checkDimension(probe);
    float best = backing.read(t -> t.bestOf(identity, probe.toArray()));
    checkArgument(!Float.isNaN(best), "identity is not enrolled: '%s'", identity);
    return Backing.clamp(best);
  }

  /**
   * Writes the gallery to {@code file} atomically: a temporary file beside it is written, forced to
   * disk and renamed over the target, so a crash leaves either the old file or the new one.
   *
   * @throws UncheckedIOException if the file cannot be written; the old file is then unchanged
   */
  public void save(Path file) {
    backing.save(file);
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
    backing.compact();
  }

  /**
   * Releases what the gallery holds outside the Java heap (device memory of an accelerated gallery)
   * and the lock of its directory. A closed gallery refuses further use; files it saved are
   * unaffected. Idempotent.
   */
  @Override
  public void close() {
    backing.close();
  }

  private void checkDimension(Embedding e) {
    checkArgument(
        e.dimension() == dimension(),
        "embedding dimension %s does not match the gallery's %s",
        e.dimension(),
        dimension());
  }

  /** The unit vectors of {@code embeddings}, checked against this gallery's dimension. */
  private List<float[]> vectors(List<Embedding> embeddings) {
    embeddings.forEach(this::checkDimension);
    return embeddings.stream().map(Embedding::toArray).toList();
  }

  @Override
  public String toString() {
    return "Gallery[" + backing.describe() + "]";
  }
}
