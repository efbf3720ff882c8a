package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.gallery.Accelerators;
import dev.semblance.internal.gallery.GalleryCodec;
import dev.semblance.internal.gallery.GalleryStore;
import dev.semblance.internal.gallery.RecordCipher;
import dev.semblance.internal.gallery.TemplateMatrix;
import dev.semblance.internal.vector.Kernels;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Enrolled identities and their face templates, for open-set identification (1:N). Enrolment
 * is one-shot: an identity is added from one embedding or several, with no retraining; the
 * templates are stored as given and never recomputed per query. A probe is compared with every
 * template; an identity scores its closest template.
 *
 * <pre>{@code
 * Gallery gallery = Gallery.create(encoder);
 * gallery.enroll("alice", encoder.encodeMainFace(Path.of("alice.jpg")).embedding());
 * Identification id = gallery.identify(probe.embedding(), 5);
 * String who = id.match().map(Candidate::identity).orElse("unknown");
 * gallery.save(Path.of("staff.gallery"));
 * }</pre>
 *
 * <p>A gallery records the embedder that produced its templates ({@link #embedderId()}); load
 * a gallery only with an encoder of the same id, since embeddings of different models are not
 * comparable.
 *
 * <p>A gallery lives in memory ({@link #create}, {@link #load}, saved whole with {@link #save}) or
 * in a directory ({@link #open}), where every change is logged to disk before the call returns,
 * survives crashes, and can be encrypted. Close a gallery opened from a directory, or one that
 * uses a GPU, to release its lock or device memory.
 *
 * <p>Searches are exact: every template is compared. {@link Options} choose how templates are
 * stored for the scan ({@link Storage}), whether a GPU helps ({@link Acceleration}) and which
 * threads share a large search; the answers are the same in every case. Scans use SIMD
 * instructions when the JVM runs with {@code --add-modules jdk.incubator.vector} ({@link
 * #searchKernel()} says which kernels are in use).
 *
 * <p><b>Thread safety.</b> Safe for concurrent use: any number of threads may identify at once;
 * enrolments, removals, threshold changes and compaction are serialised and wait for searches in
 * progress (compaction lets searches continue). {@link #close()} waits for calls in progress.
 */
public final class Gallery implements AutoCloseable {
  /** The FPIR a new gallery of the bundled embedder holds: 1% of strangers wrongly named. */
  public static final double DEFAULT_TARGET_FPIR = 0.01;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Gallery.class);
  private static final int MAX_IDENTITY_LENGTH = 256;

  private final String embedderId;
  private final int dimension;
  private final Options options;
  private final TemplateMatrix templates;
  private final Map<String, Integer> slotOf = new HashMap<>();
  private final List<String> nameOfSlot = new ArrayList<>();
  private final Deque<Integer> freeSlots = new ArrayDeque<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile float threshold;
  /** When set, the threshold follows the gallery's size to hold this FPIR. */
  private volatile TargetFpir targetFpir;
  private volatile boolean closed;
  /** The directory this gallery was opened from, or null for one held in memory only. */
  private GalleryStore store;
  private final AtomicBoolean compacting = new AtomicBoolean();
  /** A log grows to this plus twice the templates' size before it is compacted. */
  private static final long COMPACT_AFTER_BYTES = 64L << 20;

  private record TargetFpir(Calibration calibration, double fpir, AtomicBoolean warned) {}

  /**
   * How a gallery keeps its templates for scanning. Every storage answers exactly as {@link
   * #FLOAT32} would: a quantised scan only shortlists, with a proven bound on its error, and the
   * shortlist is re-ranked on the float32 templates, which are always kept. Quantised storage
   * therefore costs memory ({@link #FLOAT16} +50%, {@link #INT8} +25% over float32) and buys speed,
   * since a scan reads two or four times fewer bytes.
   */
  public enum Storage {
    /** Scan the float32 templates themselves: 4 bytes per dimension. */
    FLOAT32,
    /** Scan IEEE half-precision copies: 2 bytes per dimension read. */
    FLOAT16,
    /** Scan 8-bit copies with one scale per template: 1 byte per dimension read. */
    INT8
  }

  /**
   * Whether large searches use a device such as a GPU. Accelerated searches give exactly the
   * CPU's answers (see {@link dev.semblance.spi.SearchAccelerator}).
   */
  public enum Acceleration {
    /** A GPU when an accelerator module (e.g. {@code semblance-cuda-kernels}) finds one, else the CPU. */
    AUTO,
    /** Always the CPU. */
    CPU,
    /** A GPU, or fail: {@link #create(String, int, Options)} throws when none is available. */
    GPU
  }

  /**
   * When an enrolment or removal of a gallery {@linkplain #open opened from a directory} is on
   * disk. The first two are durable: the call returns only after its log record has been
   * forced to the storage device.
   */
  public enum Durability {
    /** Each operation forces the log before it returns: simplest, one sync per call. */
    EVERY_OPERATION,
    /** Concurrent operations share one sync: each still returns only once its record is on disk. */
    GROUP_COMMIT,
    /** Written to the operating system only: fast, but a power loss may lose recent operations. */
    NONE
  }

  /**
   * Search settings of a gallery: its {@link Storage}, its {@link Acceleration} and the threads
   * that share a large scan.
   * A scan is split into slices; the calling thread works on them along with up to {@code
   * parallelism − 1} tasks handed to the executor, so searches run in parallel without Semblance
   * creating a thread. Small galleries are searched on the calling thread alone.
   *
   * <pre>{@code
   * Gallery g = Gallery.create(encoder, Gallery.Options.defaults().withStorage(Gallery.Storage.INT8));
   * }</pre>
   *
   * @param storage how templates are kept for scanning
   * @param acceleration whether a GPU takes large searches
   * @param executor where the helper tasks run; the common fork-join pool by default
   * @param parallelism the most threads, the caller's included, one search uses
   *
   * <p><b>Thread safety.</b> Immutable.
   */
  public record Options(Storage storage, Acceleration acceleration, Executor executor, int parallelism) {
    public Options {
      Objects.requireNonNull(storage, "storage");
      Objects.requireNonNull(acceleration, "acceleration");
      Objects.requireNonNull(executor, "executor");
      checkArgument(parallelism > 0, "parallelism must be positive: %s", parallelism);
    }

    /**
     * Float32 storage, a GPU if one is found; CPU searches use every processor, helped by the
     * common fork-join pool.
     */
    public static Options defaults() {
      return new Options(Storage.FLOAT32, Acceleration.AUTO, ForkJoinPool.commonPool(),
          Runtime.getRuntime().availableProcessors());
    }

    public Options withStorage(Storage storage) {
      return new Options(storage, acceleration, executor, parallelism);
    }

    public Options withAcceleration(Acceleration acceleration) {
      return new Options(storage, acceleration, executor, parallelism);
    }

    /** Helper tasks go to {@code executor}; one search uses at most {@code parallelism} threads. */
    public Options withExecutor(Executor executor, int parallelism) {
      return new Options(storage, acceleration, executor, parallelism);
    }
  }

  private Gallery(String embedderId, int dimension, float threshold, Options options) {
    checkArgument(!embedderId.isBlank(), "embedder id must not be blank");
    checkArgument(dimension > 0, "dimension must be positive: %s", dimension);
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.options = Objects.requireNonNull(options, "options");
    this.templates = new TemplateMatrix(dimension, options.storage());
    setThresholdInMemory(threshold);
    Accelerators.indexFor(options.acceleration(), dimension, options.storage() == Storage.FLOAT16)
        .ifPresent(templates::attach);
  }

  /** An empty gallery for the embeddings of {@code encoder}; see {@link #create(String, int)}. */
  public static Gallery create(Encoder encoder) {
    return create(encoder.embedderId(), encoder.dimension());
  }

  /** An empty gallery for the embeddings of {@code encoder}, searched with {@code options}. */
  public static Gallery create(Encoder encoder, Options options) {
    return create(encoder.embedderId(), encoder.dimension(), options);
  }

  /**
   * An empty gallery for {@code dimension}-d embeddings of the embedder {@code embedderId}. For
   * the bundled embedder the open-set threshold holds a {@linkplain #setTargetFpir false positive
   * identification rate} of {@link #DEFAULT_TARGET_FPIR} (1%) under the {@linkplain
   * Calibration#bundled() bundled calibration}, tightening as the gallery grows; for other
   * embedders it is {@link Verifier#DEFAULT_THRESHOLD} until set.
   */
  public static Gallery create(String embedderId, int dimension) {
    return create(embedderId, dimension, Options.defaults());
  }

  /** An empty gallery, as {@link #create(String, int)}, searched with {@code options}. */
  public static Gallery create(String embedderId, int dimension, Options options) {
    Gallery gallery = new Gallery(Objects.requireNonNull(embedderId, "embedderId"), dimension,
        Verifier.DEFAULT_THRESHOLD, options);
    bundledCalibrationFor(embedderId).ifPresent(c -> gallery.setTargetFpirInMemory(c, DEFAULT_TARGET_FPIR));
    return gallery;
  }

  private static java.util.Optional<Calibration> bundledCalibrationFor(String embedderId) {
    Calibration bundled = Calibration.bundled();
    return bundled.embedderId().equals(embedderId) ? java.util.Optional.of(bundled) : java.util.Optional.empty();
  }

  public String embedderId() {
    return embedderId;
  }

  public int dimension() {
    return dimension;
  }

  public Options options() {
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
    TargetFpir target = targetFpir;
    if (target == null) {
      return threshold;
    }
    long comparisons = Math.max(1, templateCount());
    double fmr = Calibration.fmrForFpir(target.fpir(), comparisons);
    if (fmr < target.calibration().minimumFar()) {
      if (!target.warned().getAndSet(true)) {
        log.warn("a false positive identification rate of {} over {} templates needs a false match "
            + "rate of {}, below what the calibration measured ({}); using its strictest threshold",
            target.fpir(), comparisons, fmr, target.calibration().minimumFar());
      }
      return (float) target.calibration().strictestThreshold();
    }
    return (float) target.calibration().thresholdForFar(fmr);
  }

  /**
   * Sets the open-set threshold: probes whose best cosine similarity is below it are unknown.
   * A gallery of many identities needs a higher threshold than one-to-one verification for the
   * same false-match rate, since every search makes one comparison per identity.
   */
  public void setThreshold(float threshold) {
    setThresholdInMemory(threshold);
    logSettings();
  }

  private void setThresholdInMemory(float threshold) {
    checkArgument(threshold >= -1f && threshold <= 1f,
        "similarity threshold must be in [-1, 1]: %s", threshold);
    this.threshold = threshold;
    this.targetFpir = null;
  }

  /**
   * Sets the open-set threshold by error rate instead: from now on the threshold is the one at
   * which, according to {@code calibration}, a probe of someone not enrolled is wrongly named
   * with probability {@code fpir}. It tightens as templates are added, since each search makes
   * one comparison per template. A {@link #save saved} gallery records the target; loading it
   * follows the target again when the calibration is the bundled one, else keeps the threshold
   * it had when saved.
   *
   * @throws IllegalArgumentException if the calibration is for another embedder, or {@code fpir}
   *     is not in (0, 1)
   */
  public void setTargetFpir(Calibration calibration, double fpir) {
    setTargetFpirInMemory(calibration, fpir);
    logSettings();
  }

  private void setTargetFpirInMemory(Calibration calibration, double fpir) {
    checkArgument(calibration.embedderId().equals(embedderId),
        "calibration is for embedder %s, this gallery holds templates of %s",
        calibration.embedderId(), embedderId);
    checkArgument(fpir > 0 && fpir < 1, "target FPIR must be in (0, 1): %s", fpir);
    this.targetFpir = new TargetFpir(calibration, fpir, new AtomicBoolean());
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
    for (Embedding e : embeddings) {
      checkDimension(e);
    }
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      vectors.add(e.toArray());
    }
    long logged = -1;
    lock.writeLock().lock();
    try {
      checkOpen();
      if (store != null) {
        logged = store.append(GalleryCodec.enrolPayload(identity, vectors, dimension));
      }
      applyEnrol(identity, vectors);
    } finally {
      lock.writeLock().unlock();
    }
    afterWrite(logged);
  }

  private void applyEnrol(String identity, List<float[]> vectors) {
    Integer slot = slotOf.get(identity);
    if (slot == null) {
      slot = freeSlots.isEmpty() ? nameOfSlot.size() : freeSlots.pop();
      if (slot == nameOfSlot.size()) {
        nameOfSlot.add(identity);
      } else {
        nameOfSlot.set(slot, identity);
      }
      slotOf.put(identity, slot);
    }
    for (float[] v : vectors) {
      templates.append(slot, v);
    }
  }

  private boolean applyRemove(String identity) {
    Integer slot = slotOf.remove(identity);
    if (slot == null) {
      return false;
    }
    templates.removeSlot(slot);
    nameOfSlot.set(slot, null);
    freeSlots.push(slot);
    return true;
  }

  /** Waits for the log to be durable up to a write's record, then compacts if the log has grown. */
  private void afterWrite(long logged) {
    if (logged < 0) {
      return;
    }
    store.awaitDurable(logged);
    long templateBytes = (long) templateCount() * dimension * Float.BYTES;
    if (store.logBytes() > COMPACT_AFTER_BYTES + 2 * templateBytes && compacting.compareAndSet(false, true)) {
      try {
        compact();
      } finally {
        compacting.set(false);
      }
    }
  }

  /** Adds templates to {@code identity}; see {@link #enroll(String, List)}. */
  public void enroll(String identity, Embedding... embeddings) {
    enroll(identity, List.of(embeddings));
  }

  /**
   * Removes an identity and all its templates.
   *
   * @return whether the identity was enrolled
   */
  public boolean remove(String identity) {
    long logged = -1;
    lock.writeLock().lock();
    try {
      checkOpen();
      if (!slotOf.containsKey(identity)) {
        return false;
      }
      if (store != null) {
        logged = store.append(GalleryCodec.removePayload(identity));
      }
      applyRemove(identity);
    } finally {
      lock.writeLock().unlock();
    }
    afterWrite(logged);
    return true;
  }

  public boolean contains(String identity) {
    lock.readLock().lock();
    try {
      checkOpen();
      return slotOf.containsKey(identity);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The enrolled names, sorted; a snapshot. */
  public SortedSet<String> identities() {
    lock.readLock().lock();
    try {
      checkOpen();
      return Collections.unmodifiableSortedSet(new TreeSet<>(slotOf.keySet()));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of enrolled identities. */
  public int size() {
    lock.readLock().lock();
    try {
      checkOpen();
      return slotOf.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of stored templates, over all identities. */
  public int templateCount() {
    lock.readLock().lock();
    try {
      checkOpen();
      return templates.rowCount();
    } finally {
      lock.readLock().unlock();
    }
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
   * {@link #identify} for many probes at once, in order. Far cheaper than one call per probe:
   * each template read from memory is compared with a block of probes while it is in cache.
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
    float t = threshold();
    lock.readLock().lock();
    try {
      checkOpen();
      TemplateMatrix.Result[] found =
          templates.search(queries, k, options.executor(), options.parallelism() - 1);
      List<Identification> result = new ArrayList<>(found.length);
      for (TemplateMatrix.Result r : found) {
        List<Candidate> ranked = new ArrayList<>(r.slots().length);
        for (int i = 0; i < r.slots().length; i++) {
          ranked.add(new Candidate(nameOfSlot.get(r.slots()[i]), clamp(r.scores()[i])));
        }
        result.add(new Identification(ranked, t));
      }
      return result;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The similarity between {@code probe} and the closest template of {@code identity}.
   *
   * @throws IllegalArgumentException if the identity is not enrolled or the dimension differs
   */
  public float similarityTo(String identity, Embedding probe) {
    checkDimension(probe);
    lock.readLock().lock();
    try {
      checkOpen();
      Integer slot = slotOf.get(identity);
      checkArgument(slot != null, "identity is not enrolled: '%s'", identity);
      return clamp(templates.bestOfSlot(probe.toArray(), slot));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes the gallery to {@code file} atomically: a temporary file beside it is written,
   * flushed to disk and renamed over the target, so a crash leaves either the old file or the
   * new one, never a mix.
   *
   * @throws UncheckedIOException if the file cannot be written; the gallery is unchanged
   */
  public void save(Path file) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = null;
    lock.readLock().lock();
    try {
      checkOpen();
      temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
        writeSnapshot(out, null);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save gallery to " + target + ": " + e, e);
    } finally {
      lock.readLock().unlock();
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The save already failed; the leftover temporary file is harmless.
        }
      }
    }
  }

  /**
   * Reads a gallery written by {@link #save}.
   *
   * @throws GalleryFormatException if the file is not a gallery, is damaged or comes from a
   *     newer format version
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Gallery load(Path file) {
    return load(file, Options.defaults());
  }

  /** Reads a gallery written by {@link #save}, searched with {@code options}; see {@link #load(Path)}. */
  public static Gallery load(Path file, Options options) {
    Objects.requireNonNull(options, "options");
    Gallery[] result = new Gallery[1];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      GalleryCodec.read(in, file.toString(), new GalleryCodec.Sink() {
        @Override
        public void header(String embedderId, int dimension, float threshold, double targetFpir) {
          result[0] = new Gallery(embedderId, dimension, threshold, options);
          if (!Double.isNaN(targetFpir)) {
            // Only the bundled calibration can be found again; others leave the saved threshold.
            bundledCalibrationFor(embedderId).ifPresentOrElse(
                c -> result[0].setTargetFpirInMemory(c, targetFpir),
                () -> log.info("{} was saved with a target FPIR of {} under a calibration that is not "
                    + "bundled; using its saved threshold {} (call setTargetFpir to follow the rate)",
                    file, targetFpir, threshold));
          }
        }

        @Override
        public void enrol(String identity, float[][] vectors) {
          List<Embedding> embeddings = new ArrayList<>(vectors.length);
          for (float[] v : vectors) {
            embeddings.add(Embedding.ofUnitVector(v)); // the reader checked finiteness and length
          }
          result[0].enroll(identity, embeddings);
        }

        @Override
        public void remove(String identity) {
          result[0].remove(identity);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read gallery " + file + ": " + e, e);
    }
    return result[0];
  }

  /** The whole gallery in the snapshot format; the caller holds the read lock. */
  private void writeSnapshot(OutputStream out, RecordCipher cipher) throws IOException {
    TargetFpir rate = targetFpir;
    GalleryCodec.Writer writer = new GalleryCodec.Writer(out, embedderId, dimension, threshold(),
        rate == null ? Double.NaN : rate.fpir(), cipher);
    for (String name : new TreeSet<>(slotOf.keySet())) {
      writer.enrol(name, templates.rowsOf(slotOf.get(name)));
    }
    writer.finish();
  }

  /**
   * Opens the gallery kept in {@code directory}, creating it if empty, with the bundled
   * embedder's settings; see {@link #open(Path, String, int, Options, Durability)}.
   */
  public static Gallery open(Path directory, Encoder encoder) {
    return open(directory, encoder.embedderId(), encoder.dimension(), Options.defaults(),
        Durability.GROUP_COMMIT);
  }

  /**
   * Opens the gallery kept in {@code directory} (created if absent) for reading and writing.
   * Every enrolment, removal and threshold change is appended to a log on disk before it is
   * applied, and with a durable {@link Durability} the call returns only once that record is on
   * disk; reopening after a crash replays the log, cutting off a record the crash tore (with a
   * warning). The log is compacted into a snapshot as it grows, or by {@link #compact()}; a
   * compacted directory holds no trace of removed identities. One process at a time may have a
   * directory open; {@link #close()} releases it.
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
  public static Gallery open(Path directory, String embedderId, int dimension, Options options,
      Durability durability) {
    return open(directory, embedderId, dimension, options, durability, null);
  }

  /**
   * Opens an encrypted gallery directory, as {@link #open(Path, String, int, Options,
   * Durability)}: every record of its files is sealed with AES-GCM under {@code key}, bound to its
   * file and position, so that without the key the templates and names cannot be read and any
   * change to the files is detected. The key is never stored; keep it in a key store. A new
   * directory is created encrypted.
   *
   * <pre>{@code
   * SecretKey key = ...; // AES, 128 or 256 bits, from your key management
   * try (Gallery staff = Gallery.open(dir, encoder.embedderId(), encoder.dimension(),
   *     Gallery.Options.defaults(), Gallery.Durability.GROUP_COMMIT, key)) { ... }
   * }</pre>
   *
   * @param key an AES key, or null for a plain directory
   * @throws GalleryFormatException also for a wrong key, a key given for a plain directory or
   *     none for an encrypted one
   * @throws IllegalArgumentException if {@code key} is not an AES key of 128, 192 or 256 bits
   */
  public static Gallery open(Path directory, String embedderId, int dimension, Options options,
      Durability durability, javax.crypto.SecretKey key) {
    Objects.requireNonNull(durability, "durability");
    RecordCipher cipher = key == null ? null : RecordCipher.of(key);
    Gallery gallery = create(embedderId, dimension, options);
    try {
      gallery.store = GalleryStore.open(directory, embedderId, dimension, durability, cipher,
          new GalleryStore.Replay() {
            @Override
            public void snapshotSettings(float threshold, double targetFpir) {
              gallery.applySettings(threshold, targetFpir);
            }

            @Override
            public void logHeader(String id, int dim, long generation) {
              // checked by the store
            }

            @Override
            public void enrol(String identity, float[][] vectors) {
              gallery.applyEnrol(identity, List.of(vectors));
            }

            @Override
            public void remove(String identity) {
              gallery.applyRemove(identity);
            }

            @Override
            public void settings(float threshold, double targetFpir) {
              gallery.applySettings(threshold, targetFpir);
            }
          });
    } catch (RuntimeException e) {
      gallery.close();
      throw e;
    }
    return gallery;
  }

  /**
   * Rewrites the directory of a gallery {@linkplain #open opened from one} as a snapshot of its
   * current state and an empty log, then overwrites and deletes the old files, so that removed
   * identities leave no trace in them. Searches continue meanwhile; writes wait.
   *
   * @throws IllegalStateException if this gallery was not opened from a directory
   */
  public void compact() {
    lock.readLock().lock();
    try {
      checkOpen();
      if (store == null) {
        throw new IllegalStateException("this gallery was not opened from a directory");
      }
      store.compact(this::writeSnapshot);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void applySettings(float threshold, double targetFpir) {
    if (Double.isNaN(targetFpir)) {
      setThresholdInMemory(threshold);
      return;
    }
    java.util.Optional<Calibration> bundled = bundledCalibrationFor(embedderId);
    if (bundled.isPresent()) {
      setTargetFpirInMemory(bundled.get(), targetFpir);
    } else {
      setThresholdInMemory(threshold);
    }
  }

  /** Logs the current settings of a gallery opened from a directory. */
  private void logSettings() {
    long logged = -1;
    lock.writeLock().lock();
    try {
      checkOpen();
      if (store == null) {
        return;
      }
      TargetFpir rate = targetFpir;
      logged = store.append(GalleryCodec.settingsPayload(threshold(), rate == null ? Double.NaN : rate.fpir()));
    } finally {
      lock.writeLock().unlock();
    }
    store.awaitDurable(logged);
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename itself durable; not every platform lets a directory be opened.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Best effort only.
    }
  }

  /**
   * Releases what the gallery holds outside the Java heap (device memory of an accelerated
   * gallery). A closed gallery refuses further use; files it saved are unaffected. Idempotent.
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        templates.detach();
        if (store != null) {
          store.close();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this gallery has been closed");
    }
  }

  private void checkDimension(Embedding e) {
    checkArgument(e.dimension() == dimension,
        "embedding dimension %s does not match the gallery's %s", e.dimension(), dimension);
  }

  private static void checkIdentity(String identity) {
    Objects.requireNonNull(identity, "identity");
    checkArgument(!identity.isBlank(), "identity must not be blank");
    checkArgument(identity.length() <= MAX_IDENTITY_LENGTH,
        "identity is longer than %s characters", MAX_IDENTITY_LENGTH);
    checkArgument(identity.chars().noneMatch(Character::isISOControl),
        "identity must not contain control characters: '%s'", identity);
  }

  private static float clamp(float similarity) {
    return Math.max(-1f, Math.min(1f, similarity));
  }

  @Override
  public String toString() {
    if (closed) {
      return "Gallery[closed, embedder " + embedderId + "]";
    }
    return "Gallery[" + size() + " identities, " + templateCount() + " templates, embedder "
        + embedderId + ", threshold " + threshold + "]";
  }
}
