package dev.semblance.graph.internal;

import dev.semblance.GalleryFormatException;
import dev.semblance.GalleryLockedException;
import dev.semblance.InnerProducts;
import dev.semblance.TemplateStoreException;
import dev.semblance.io.DurableFiles;
import dev.semblance.spi.TemplateStore;
import io.github.jbellis.jvector.util.Bits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.LongToDoubleFunction;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TemplateStore} in one directory: the {@link ChangeLog} is the truth, the {@link RowFile}
 * holds the float32 rows it names, and the {@link NeighbourGraph} over the rows is derived: saved
 * when the store closes, loaded when it opens, and brought up to date by inserting the rows logged
 * after it was saved (all of them after a crash that left no saved graph). The graph scores a copy
 * of the rows as bytes on the heap ({@link ByteRows}, made from the row file on opening); the
 * shortlists it returns are re-scored on the float32 rows. A compaction writes a new generation of
 * the files with only the live rows and deletes the old one.
 *
 * <p>Thread safety: safe for concurrent use; changes run one at a time, searches together.
 */
public final class GraphTemplateStore implements TemplateStore {
  private static final Logger log = LoggerFactory.getLogger(GraphTemplateStore.class);
  private static final Pattern LOG_NAME = Pattern.compile("changes-(\\d+)\\.log");

  /** Any file of a generation: its log, rows and graph, staged or in place. */
  private static final Pattern GENERATION_FILE = Pattern.compile("[a-z]+-(\\d+)\\.[a-z0-9.]+");

  /**
   * The search settings; {@code firstWidth} is the beam of a first pass that settles the probes it
   * finds above the gallery's threshold (0: none).
   */
  public record Settings(int searchWidth, int degree, int buildWidth, int firstWidth) {}

  private final Path directory;
  private final Settings settings;
  private final FileChannel lockChannel;
  private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
  private final ForkJoinPool pool = Workers.POOL;
  private final String embedderId;
  private final int dimension;

  private int generation;
  private ChangeLog changes;
  private RowFile rows;

  /** The rows as the graph scores them: bytes on the heap, so that a walk never waits on disk. */
  private ByteRows graphRows;

  private NeighbourGraph graph;
  private boolean graphChanged;
  private final Map<String, int[]> rowsOf = new HashMap<>();
  private String[] owner = new String[1024];
  private long liveRows;
  private Optional<TemplateStore.Settings> thresholds = Optional.empty();
  private boolean closed;
  private final LongAdder widened = new LongAdder();

  private GraphTemplateStore(
      Path directory,
      Settings settings,
      FileChannel lockChannel,
      String embedderId,
      int dimension) {
    this.directory = directory;
    this.settings = settings;
    this.lockChannel = lockChannel;
    this.embedderId = embedderId;
    this.dimension = dimension;
  }

  /**
   * Creates a store in {@code directory}, which must be absent or empty.
   *
   * @throws IllegalArgumentException if the directory holds files
   */
  public static GraphTemplateStore create(
      Path directory, String embedderId, int dimension, Settings settings) {
    try {
      Files.createDirectories(directory);
      try (Stream<Path> files = Files.list(directory)) {
        if (files.findAny().isPresent()) {
          throw new IllegalArgumentException("not an empty directory: " + directory);
        }
      }
      FileChannel lockChannel = lockChannel(directory);
      lock(directory, lockChannel);
      GraphTemplateStore store =
          new GraphTemplateStore(directory, settings, lockChannel, embedderId, dimension);
      store.changes =
          ChangeLog.create(
              store.logFile(0), new ChangeLog.Header(embedderId, dimension), List.of());
      store.rows = new RowFile(store.rowFile(0), dimension, 0);
      store.graphRows = new ByteRows(dimension);
      store.graph = searchable(NeighbourGraph.empty(store.graphRows, store.shape(), store.pool));
      DurableFiles.fsyncFolder(directory);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Opens the store in {@code directory}: replays its log, cuts off what a crash left half-written
   * and brings the graph up to date.
   *
   * @throws GalleryFormatException if the directory holds no graph gallery
   * @throws GalleryLockedException if another gallery has it open
   */
  public static GraphTemplateStore open(Path directory, Settings settings) {
    try {
      long start = System.nanoTime();
      int generation = latestGeneration(directory);
      FileChannel lockChannel = lockChannel(directory);
      lock(directory, lockChannel);
      List<ChangeLog.Entry> entries = new ArrayList<>();
      ChangeLog changes = ChangeLog.open(logFileIn(directory, generation), entries::add);
      GraphTemplateStore store =
          new GraphTemplateStore(
              directory,
              settings,
              lockChannel,
              changes.header().embedderId(),
              changes.header().dimension());
      store.generation = generation;
      store.changes = changes;
      int logged = 0;
      for (ChangeLog.Entry e : entries) {
        if (e instanceof ChangeLog.Added a) {
          logged = Math.max(logged, a.first() + a.count());
        }
      }
      store.rows = new RowFile(store.rowFile(generation), store.dimension, logged);
      long logRead = System.nanoTime();
      store.graphRows = bytesOf(store.rows, store.pool);
      long bytesMade = System.nanoTime();
      for (ChangeLog.Entry e : entries) {
        store.replay(e);
      }
      store.deleteOtherGenerations();
      store.graph = store.loadGraph();
      log.info(
          "graph gallery {} opened in {} ms: {} rows; log {} ms, rows as bytes {} ms, graph {} ms",
          directory,
          ms(System.nanoTime() - start),
          store.rows.rows(),
          ms(logRead - start),
          ms(bytesMade - logRead),
          ms(System.nanoTime() - bytesMade));
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static int latestGeneration(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new GalleryFormatException("no graph gallery at " + directory + " (not a directory)");
    }
    int latest = -1;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = LOG_NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          latest = Math.max(latest, Integer.parseInt(m.group(1)));
        }
      }
    }
    if (latest < 0) {
      throw new GalleryFormatException("no graph gallery at " + directory + " (no change log)");
    }
    return latest;
  }

  private static FileChannel lockChannel(Path directory) throws IOException {
    return FileChannel.open(
        directory.resolve("gallery.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static void lock(Path directory, FileChannel channel) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new GalleryLockedException("the graph gallery at " + directory + " is open elsewhere");
    }
  }

  private Path logFile(int generation) {
    return logFileIn(directory, generation);
  }

  private static Path logFileIn(Path directory, int generation) {
    return directory.resolve("changes-" + generation + ".log");
  }

  private Path rowFile(int generation) {
    return directory.resolve("rows-" + generation + ".f32");
  }

  private Path graphFile(int generation) {
    return directory.resolve("graph-" + generation + ".bin");
  }

  private NeighbourGraph.Shape shape() {
    return new NeighbourGraph.Shape(settings.degree(), settings.buildWidth());
  }

  /** The saved graph with the rows logged since inserted, or a new graph of every row. */
  private NeighbourGraph loadGraph() {
    Path file = graphFile(generation);
    NeighbourGraph loaded = null;
    if (Files.exists(file)) {
      try {
        loaded = NeighbourGraph.load(file, graphRows, shape(), pool);
        if (loaded.covered() > rows.rows()) {
          log.warn("{} covers rows the log does not list; rebuilding the graph", file);
          loaded.close();
          loaded = null;
        }
      } catch (IOException e) {
        log.warn("{} could not be read ({}); rebuilding the graph", file, e.toString());
      }
    }
    NeighbourGraph graph = loaded != null ? loaded : NeighbourGraph.empty(graphRows, shape(), pool);
    int from = graph.covered();
    if (from < rows.rows()) {
      long start = System.nanoTime();
      graph.insert(from, rows.rows(), pool);
      graphChanged = true;
      log.info(
          "graph gallery {}: {} rows added to the graph in {} ms ({})",
          directory,
          rows.rows() - from,
          ms(System.nanoTime() - start),
          loaded == null ? "no saved graph" : "logged after the graph was saved");
    }
    return searchable(graph);
  }

  /**
   * {@code graph} with its list of edges into each row made now (1.6 s at a million rows), which
   * inserts then keep up to date, rather than by the first search.
   */
  private static NeighbourGraph searchable(NeighbourGraph graph) {
    graph.incoming();
    return graph;
  }

  private void replay(ChangeLog.Entry entry) {
    if (entry instanceof ChangeLog.Added a) {
      int[] added = IntStream.range(a.first(), a.first() + a.count()).toArray();
      own(a.identity(), added);
    } else if (entry instanceof ChangeLog.Removed r) {
      disown(r.identity(), rowsOf.getOrDefault(r.identity(), new int[0]));
    } else if (entry instanceof ChangeLog.Renamed r) {
      int[] moved = rowsOf.remove(r.from());
      rowsOf.put(r.to(), moved);
      for (int row : moved) {
        owner[row] = r.to();
      }
    } else if (entry instanceof ChangeLog.RowsRemoved r) {
      disown(r.identity(), r.rows());
    } else {
      ChangeLog.Settings s = (ChangeLog.Settings) entry;
      thresholds = Optional.of(new TemplateStore.Settings(s.threshold(), s.targetFpir()));
    }
  }

  private void own(String identity, int[] added) {
    int last = added.length == 0 ? 0 : added[added.length - 1];
    if (last >= owner.length) {
      owner = Arrays.copyOf(owner, Math.max(last + 1, owner.length * 2));
    }
    for (int row : added) {
      owner[row] = identity;
    }
    int[] had = rowsOf.get(identity);
    if (had == null) {
      rowsOf.put(identity, added);
    } else {
      int[] both = Arrays.copyOf(had, had.length + added.length);
      System.arraycopy(added, 0, both, had.length, added.length);
      rowsOf.put(identity, both);
    }
    liveRows += added.length;
  }

  /** Drops {@code dropped} rows of {@code identity}; the identity goes with its last row. */
  private void disown(String identity, int[] dropped) {
    int[] had = rowsOf.get(identity);
    if (had == null) {
      return;
    }
    int[] kept = Arrays.stream(had).filter(r -> !contains(dropped, r)).toArray();
    for (int row : dropped) {
      if (owner[row] != null) {
        owner[row] = null;
        liveRows--;
      }
    }
    if (kept.length == 0) {
      rowsOf.remove(identity);
    } else {
      rowsOf.put(identity, kept);
    }
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
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
  public void add(Map<String, List<float[]>> templates) {
    write(
        () -> {
          Map<String, List<float[]>> fresh = new LinkedHashMap<>();
          templates.forEach(
              (identity, vectors) -> {
                List<float[]> had = templatesOfLocked(identity);
                List<float[]> added = new ArrayList<>();
                for (float[] v : vectors) {
                  if (v.length != dimension) {
                    throw new IllegalArgumentException(
                        "a " + v.length + "-d template for a " + dimension + "-d gallery");
                  }
                  if (!containsVector(had, v) && !containsVector(added, v)) {
                    added.add(v);
                  }
                }
                if (!added.isEmpty()) {
                  fresh.put(identity, added);
                }
              });
          if (fresh.isEmpty()) {
            return null;
          }
          List<float[]> all = new ArrayList<>();
          fresh.values().forEach(all::addAll);
          int first = rows.append(all);
          rows.sync();
          int next = first;
          for (Map.Entry<String, List<float[]>> e : fresh.entrySet()) {
            changes.append(new ChangeLog.Added(e.getKey(), next, e.getValue().size()));
            next += e.getValue().size();
          }
          changes.sync();
          next = first;
          for (Map.Entry<String, List<float[]>> e : fresh.entrySet()) {
            int count = e.getValue().size();
            own(e.getKey(), IntStream.range(next, next + count).toArray());
            next += count;
          }
          graphRows.append(packed(all), 0, all.size());
          graph.insert(first, rows.rows(), pool);
          graphChanged = true;
          return null;
        });
  }

  private static ByteRows bytesOf(RowFile rows, ForkJoinPool pool) {
    return ByteRows.of(rows::read, rows.dimension(), rows.rows(), pool);
  }

  private static float[] packed(List<float[]> vectors) {
    int dimension = vectors.get(0).length;
    float[] out = new float[vectors.size() * dimension];
    for (int i = 0; i < vectors.size(); i++) {
      System.arraycopy(vectors.get(i), 0, out, i * dimension, dimension);
    }
    return out;
  }

  private static boolean containsVector(List<float[]> vectors, float[] v) {
    for (float[] w : vectors) {
      if (Arrays.equals(w, v)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean remove(String identity) {
    return write(
        () -> {
          int[] had = rowsOf.get(identity);
          if (had == null) {
            return false;
          }
          logged(new ChangeLog.Removed(identity));
          disown(identity, had);
          return true;
        });
  }

  @Override
  public void rename(String from, String to) {
    write(
        () -> {
          if (!rowsOf.containsKey(from)) {
            throw new IllegalArgumentException("identity is not enrolled: '" + from + "'");
          }
          if (rowsOf.containsKey(to)) {
            throw new IllegalArgumentException("identity is already enrolled: '" + to + "'");
          }
          ChangeLog.Renamed renamed = new ChangeLog.Renamed(from, to);
          logged(renamed);
          replay(renamed);
          return null;
        });
  }

  @Override
  public boolean removeTemplate(String identity, float[] template) {
    return write(
        () -> {
          int[] had = rowsOf.get(identity);
          if (had == null) {
            return false;
          }
          int[] equal =
              Arrays.stream(had).filter(r -> Arrays.equals(rows.read(r), template)).toArray();
          if (equal.length == 0) {
            return false;
          }
          logged(new ChangeLog.RowsRemoved(identity, equal));
          disown(identity, equal);
          return true;
        });
  }

  private void logged(ChangeLog.Entry entry) throws IOException {
    changes.append(entry);
    changes.sync();
  }

  @Override
  public boolean contains(String identity) {
    return read(() -> rowsOf.containsKey(identity));
  }

  @Override
  public SortedSet<String> identities() {
    return read(() -> new TreeSet<>(rowsOf.keySet()));
  }

  @Override
  public int identityCount() {
    return read(rowsOf::size);
  }

  @Override
  public long templateCount() {
    return read(() -> liveRows);
  }

  @Override
  public List<float[]> templatesOf(String identity) {
    return read(() -> templatesOfLocked(identity));
  }

  private List<float[]> templatesOfLocked(String identity) {
    int[] had = rowsOf.get(identity);
    if (had == null) {
      return List.of();
    }
    List<float[]> out = new ArrayList<>(had.length);
    for (int row : had) {
      out.add(rows.read(row));
    }
    return out;
  }

  @Override
  public void forEach(BiConsumer<String, List<float[]>> action) {
    read(
        () -> {
          for (String identity : new TreeSet<>(rowsOf.keySet())) {
            action.accept(identity, templatesOfLocked(identity));
          }
          return null;
        });
  }

  /** Draws live rows directly: reading millions of templates for a sample would take minutes. */
  @Override
  public List<Map.Entry<String, float[]>> sample(int count, long seed) {
    return read(
        () -> {
          if (count >= liveRows) {
            return TemplateStore.super.sample(count, seed);
          }
          Random random = new Random(seed);
          TreeSet<Integer> drawn = new TreeSet<>();
          while (drawn.size() < count) {
            int row = random.nextInt(rows.rows());
            if (owner[row] != null) {
              drawn.add(row);
            }
          }
          List<Map.Entry<String, float[]>> out = new ArrayList<>(count);
          for (int row : drawn) {
            out.add(Map.entry(owner[row], rows.read(row)));
          }
          return out;
        });
  }

  @Override
  public Shortlists shortlist(float[][] probes, int k) {
    return shortlist(probes, k, templates -> Double.NaN);
  }

  /**
   * Searches each probe with the first pass's beam and at the full width only when no template it
   * found reaches the threshold at the number of live templates (NaN: at the full width at once).
   */
  @Override
  public Shortlists shortlist(float[][] probes, int k, LongToDoubleFunction thresholdAt) {
    return read(
        () -> {
          float threshold = (float) thresholdAt.applyAsDouble(liveRows);
          int count = (int) Math.min(liveRows, Math.max(4L * k, 40));
          Bits live = row -> row < owner.length && owner[row] != null;
          List<List<StoredTemplate>> perProbe;
          if (probes.length == 1) {
            perProbe = List.of(shortlistOne(graph.searcher(), probes[0], count, live, threshold));
          } else {
            // A searcher per slice of the probes: one kept per thread would outlive the gallery on
            // the pool's threads and keep its graph from being collected.
            int slices = Math.min(probes.length, 4 * pool.getParallelism());
            perProbe =
                pool.submit(
                        () ->
                            IntStream.range(0, slices)
                                .parallel()
                                .mapToObj(
                                    s -> {
                                      NeighbourGraph.Searcher searcher = graph.searcher();
                                      return IntStream.range(
                                              s * probes.length / slices,
                                              (s + 1) * probes.length / slices)
                                          .mapToObj(
                                              p ->
                                                  shortlistOne(
                                                      searcher, probes[p], count, live, threshold))
                                          .toList();
                                    })
                                .flatMap(List::stream)
                                .toList())
                    .join();
          }
          return new Shortlists(perProbe, liveRows);
        });
  }

  private List<StoredTemplate> shortlistOne(
      NeighbourGraph.Searcher searcher, float[] probe, int count, Bits live, float threshold) {
    if (count == 0) {
      return List.of();
    }
    int firstWidth = settings.firstWidth();
    if (firstWidth > 0 && firstWidth < settings.searchWidth() && !Float.isNaN(threshold)) {
      List<StoredTemplate> first = shortlistAt(searcher, probe, count, firstWidth, live);
      for (StoredTemplate t : first) {
        if (InnerProducts.dot(probe, 0, t.vector(), 0, dimension) >= threshold) {
          return first;
        }
      }
      widened.increment();
    }
    return shortlistAt(searcher, probe, count, settings.searchWidth(), live);
  }

  private List<StoredTemplate> shortlistAt(
      NeighbourGraph.Searcher searcher, float[] probe, int count, int width, Bits live) {
    int[] found = searcher.search(probe, count, width, live);
    List<StoredTemplate> out = new ArrayList<>(found.length);
    for (int row : found) {
      out.add(new StoredTemplate(owner[row], rows.read(row)));
    }
    return out;
  }

  /** The graph searches walk now (for tests: what a closed store must not leave behind). */
  NeighbourGraph graph() {
    return graph;
  }

  /** The searches whose first pass found nothing at the threshold. */
  long widenedSearches() {
    return widened.sum();
  }

  @Override
  public Optional<TemplateStore.Settings> settings() {
    return read(() -> thresholds);
  }

  @Override
  public void saveSettings(TemplateStore.Settings saved) {
    write(
        () -> {
          ChangeLog.Settings entry = new ChangeLog.Settings(saved.threshold(), saved.targetFpir());
          logged(entry);
          replay(entry);
          return null;
        });
  }

  /**
   * Writes the next generation with only the live rows, each identity's together, and a graph built
   * anew; then deletes the old generation's files.
   */
  @Override
  public void compact() {
    write(
        () -> {
          if (liveRows == rows.rows()) {
            return null;
          }
          int next = generation + 1;
          Files.deleteIfExists(rowFile(next));
          RowFile newRows = new RowFile(rowFile(next), dimension, 0);
          List<ChangeLog.Entry> entries = new ArrayList<>();
          Map<String, int[]> newRowsOf = new HashMap<>();
          String[] newOwner = new String[Math.max(1024, (int) liveRows)];
          for (String identity : new TreeSet<>(rowsOf.keySet())) {
            List<float[]> templates = templatesOfLocked(identity);
            int first = newRows.append(templates);
            entries.add(new ChangeLog.Added(identity, first, templates.size()));
            newRowsOf.put(identity, IntStream.range(first, first + templates.size()).toArray());
            Arrays.fill(newOwner, first, first + templates.size(), identity);
          }
          newRows.sync();
          thresholds.ifPresent(
              t -> entries.add(new ChangeLog.Settings(t.threshold(), t.targetFpir())));
          Path staged = directory.resolve("changes-" + next + ".log.new");
          Files.deleteIfExists(staged);
          ChangeLog newChanges =
              ChangeLog.create(staged, new ChangeLog.Header(embedderId, dimension), entries);
          newChanges.close();
          DurableFiles.move(staged, logFile(next));
          ByteRows newGraphRows = bytesOf(newRows, pool);
          NeighbourGraph newGraph = searchable(NeighbourGraph.empty(newGraphRows, shape(), pool));
          newGraph.insert(0, newRows.rows(), pool);
          graph.close();
          rows.close();
          changes.close();
          generation = next;
          graph = newGraph;
          rows = newRows;
          graphRows = newGraphRows;
          changes = ChangeLog.open(logFile(next), e -> {});
          rowsOf.clear();
          rowsOf.putAll(newRowsOf);
          owner = newOwner;
          graphChanged = true;
          deleteOtherGenerations();
          return null;
        });
  }

  private void deleteOtherGenerations() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = GENERATION_FILE.matcher(file.getFileName().toString());
        if (m.matches() && Integer.parseInt(m.group(1)) != generation) {
          Files.delete(file);
        }
      }
    }
    DurableFiles.fsyncFolder(directory);
  }

  /** Saves the graph, so that the next opening need not rebuild it, and releases the files. */
  @Override
  public void close() {
    guard.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (graphChanged) {
        Path staged = directory.resolve("graph-" + generation + ".bin.new");
        if (graph.save(staged)) {
          try (FileChannel c = FileChannel.open(staged, StandardOpenOption.WRITE)) {
            c.force(true);
          }
          DurableFiles.move(staged, graphFile(generation));
        } else {
          Files.deleteIfExists(graphFile(generation));
        }
      }
    } catch (IOException e) {
      log.warn(
          "the graph of {} could not be saved ({}); the next opening rebuilds it",
          directory,
          e.toString());
    } finally {
      graph.close();
      rows.close();
      changes.close();
      try {
        lockChannel.close(); // releases the lock
      } catch (IOException e) {
        log.warn("could not release the lock of {}: {}", directory, e.toString());
      }
      guard.writeLock().unlock();
    }
  }

  private interface IoAction<T> {
    T run() throws IOException;
  }

  private <T> T write(IoAction<T> action) {
    guard.writeLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the graph gallery at " + directory + " is closed");
      }
      return action.run();
    } catch (IOException e) {
      throw new TemplateStoreException("graph gallery at " + directory + ": " + e, e);
    } finally {
      guard.writeLock().unlock();
    }
  }

  private <T> T read(Supplier<T> action) {
    guard.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the graph gallery at " + directory + " is closed");
      }
      return action.get();
    } finally {
      guard.readLock().unlock();
    }
  }
}
