package dev.semblance.clustering;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import dev.semblance.CorruptFileException;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.IdentityNames;
import dev.semblance.internal.cluster.AverageLinkage;
import dev.semblance.internal.cluster.ChineseWhispers;
import dev.semblance.internal.cluster.ConnectedComponents;
import dev.semblance.internal.cluster.FaceGraph;
import dev.semblance.internal.cluster.Partition;
import dev.semblance.internal.io.FileFormat;
import dev.semblance.io.DurableFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faces grouped into people without enrolling anyone first: "who is in my photos?". Faces are added
 * in batches; each batch is compared with every face so far (an exact blocked scan, never an N × N
 * matrix) and joins existing clusters or opens new ones, without clustering everything again.
 * Clusters can be named, a gallery's identities can seed named clusters, and a named cluster can be
 * enrolled into a gallery in one call. Two clusters with different names never join.
 *
 * <pre>{@code
 * FaceClusters people = FaceClusters.create(Calibration.bundled(), ClusteringOptions.defaults());
 * people.add(faces);                          // List<FaceItem>, e.g. from Encoder.encodeEach
 * Cluster biggest = people.clusters().get(0); // biggest first; people.noise() are faces alone
 * people.name(biggest.id(), "Grandma");
 * people.enroll(biggest.id(), gallery, 5);    // her five most typical faces become templates
 * }</pre>
 *
 * <p>The similarity cut-off comes from a {@link Calibration} at {@link
 * ClusteringOptions#pairwiseFmr()}; {@code docs/clustering.md} explains the default and measures
 * the methods on LFW. Memory: every face's embedding is kept (2 KiB for 512 floats) plus its edges.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use; calls are serialised.
 */
public final class FaceClusters {
  private static final Logger log = LoggerFactory.getLogger(FaceClusters.class);
  private static final String SEED_SOURCE = "gallery:";

  /** Format 1, before the common frame of Semblance files, is no longer read. */
  private static final FileFormat.Kind FILE =
      new FileFormat.Kind('C', 2, "clusters file", CorruptFileException::new);

  private final float threshold;
  private final ClusteringOptions options;
  private final List<FaceItem> faces = new ArrayList<>();
  private final List<Boolean> seeded = new ArrayList<>();
  private FaceGraph graph;
  private Partition partition;

  private FaceClusters(float threshold, ClusteringOptions options) {
    checkArgument(
        threshold > -1f && threshold <= 1f, "similarity cut-off must be in (-1, 1]: %s", threshold);
    this.threshold = threshold;
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Empty clusters whose cut-off is the calibration's threshold at the options' pairwise FMR.
   *
   * @throws IllegalArgumentException if the calibration does not reach that FMR
   */
  public static FaceClusters create(Calibration calibration, ClusteringOptions options) {
    return new FaceClusters((float) calibration.thresholdForFar(options.pairwiseFmr()), options);
  }

  /**
   * Empty clusters with a fixed similarity cut-off, for an embedder without a calibration; the
   * options' pairwise FMR is not used.
   */
  public static FaceClusters withThreshold(float threshold, ClusteringOptions options) {
    return new FaceClusters(threshold, options);
  }

  /** Clusters {@code faces} at once; see {@link #create(Calibration, ClusteringOptions)}. */
  public static FaceClusters of(
      List<FaceItem> faces, Calibration calibration, ClusteringOptions options) {
    FaceClusters clusters = create(calibration, options);
    clusters.add(faces);
    return clusters;
  }

  public float threshold() {
    return threshold;
  }

  public ClusteringOptions options() {
    return options;
  }

  /** The number of faces added, seeds included. */
  public synchronized int size() {
    return faces.size();
  }

  /** A face by the id {@link #add} returned. */
  public synchronized FaceItem face(int id) {
    checkArgument(id >= 0 && id < faces.size(), "no face %s", id);
    return faces.get(id);
  }

  /**
   * Adds faces and clusters them with those already added.
   *
   * @return their ids, consecutive from {@link #size()} before the call
   * @throws IllegalArgumentException if an embedding's dimension differs from the others; nothing
   *     is added then
   */
  public synchronized List<Integer> add(List<FaceItem> items) {
    if (items.isEmpty()) {
      return List.of();
    }
    List<Embedding> embeddings = new ArrayList<>(items.size());
    for (FaceItem item : items) {
      embeddings.add(item.embedding());
    }
    checkDimensions(embeddings);
    int from = faces.size();
    for (FaceItem item : items) {
      boolean good = Double.isNaN(item.quality()) || item.quality() >= options.minQuality();
      partition.addSingleton(graph.add(item.embedding().toArray(), good));
      faces.add(item);
      seeded.add(false);
    }
    update(from);
    List<Integer> ids = new ArrayList<>(items.size());
    for (int i = from; i < faces.size(); i++) {
      ids.add(i);
    }
    return ids;
  }

  /**
   * Adds known faces of one person as a named cluster (joining the cluster already of that name, if
   * any), then lets unnamed clusters join it as {@link #add} would.
   *
   * @return the id of the named cluster
   * @throws IllegalArgumentException if the name is blank, too long or holds control characters, no
   *     embedding is given, or dimensions differ
   */
  public synchronized int addNamed(String name, List<Embedding> templates) {
    checkName(name);
    checkArgument(!templates.isEmpty(), "no embedding given for '%s'", name);
    checkDimensions(templates);
    int from = faces.size();
    int cluster = named(name).map(Cluster::id).orElse(-1);
    for (Embedding e : templates) {
      int face = graph.add(e.toArray(), true);
      int single = partition.addSingleton(face);
      faces.add(new FaceItem(e, Double.NaN, SEED_SOURCE + name));
      seeded.add(true);
      cluster = cluster < 0 ? single : partition.merge(cluster, single);
    }
    partition.setName(cluster, name);
    update(from);
    return partition.clusterOf(from);
  }

  /**
   * Seeds one named cluster per identity of a gallery, from its templates. Seed faces count in
   * {@link #size()} with the source {@code "gallery:<identity>"} and are never enrolled back.
   */
  public synchronized void seed(Gallery gallery) {
    for (String identity : gallery.identities()) {
      addNamed(identity, gallery.templates(identity));
    }
  }

  /**
   * Names a cluster. Naming it like another cluster says both are the same person: they join.
   *
   * @return the id of the named cluster (the other one's, if they joined)
   * @throws IllegalArgumentException if there is no such cluster or the name is not valid
   */
  public synchronized int name(int clusterId, String name) {
    checkName(name);
    checkArgument(partition != null && partition.exists(clusterId), "no cluster %s", clusterId);
    Optional<Cluster> same = named(name);
    partition.setName(clusterId, name);
    if (same.isPresent() && same.get().id() != clusterId) {
      return partition.merge(same.get().id(), clusterId);
    }
    return clusterId;
  }

  /**
   * Enrols a named cluster into a gallery under its name: its {@code maxTemplates} most typical
   * faces (the most similar to the cluster's mean), leaving out faces that came from a gallery.
   *
   * @return the ids of the faces enrolled
   * @throws IllegalArgumentException if there is no such cluster, it has no name or no face of its
   *     own, or its dimension differs from the gallery's
   */
  public synchronized List<Integer> enroll(int clusterId, Gallery gallery, int maxTemplates) {
    checkArgument(maxTemplates >= 1, "at least one template: %s", maxTemplates);
    checkArgument(partition != null && partition.exists(clusterId), "no cluster %s", clusterId);
    String name = partition.name(clusterId);
    checkArgument(name != null, "cluster %s has no name; name it before enrolling it", clusterId);
    float[] mean = partition.mean(clusterId);
    List<Integer> own = new ArrayList<>();
    for (int face : partition.members(clusterId)) {
      if (!seeded.get(face)) {
        own.add(face);
      }
    }
    checkArgument(!own.isEmpty(), "cluster %s ('%s') has only gallery faces", clusterId, name);
    own.sort(Comparator.comparingDouble((Integer f) -> -graph.dotWith(mean, f)));
    List<Integer> chosen = own.subList(0, Math.min(maxTemplates, own.size()));
    List<Embedding> templates = new ArrayList<>();
    for (int face : chosen) {
      templates.add(faces.get(face).embedding());
    }
    gallery.enroll(name, templates);
    return List.copyOf(chosen);
  }

  /**
   * Writes everything to a file, durably (a temporary file, forced to disk, then renamed): the
   * faces, their edges, the clusters and their names, so that {@link #load} can go on adding
   * without scanning the old faces again. Embeddings are biometric data: keep the file as safe as a
   * gallery.
   *
   * @throws java.io.UncheckedIOException if the file cannot be written; an old file stays intact
   */
  public synchronized void save(Path file) {
    DurableFiles.replace(
        file,
        stream -> {
          FileFormat.Writer out =
              new FileFormat.Writer(new BufferedOutputStream(stream, 1 << 16), FILE);
          out.writeFloat(threshold);
          out.writeUTF(options.method().name());
          out.writeDouble(options.pairwiseFmr());
          out.writeInt(options.neighbours());
          out.writeInt(options.minClusterSize());
          out.writeDouble(options.minQuality());
          out.writeInt(graph == null ? 0 : graph.dimension());
          out.writeInt(faces.size());
          for (int i = 0; i < faces.size(); i++) {
            out.writeDouble(faces.get(i).quality());
            out.writeUTF(faces.get(i).source());
            out.writeBoolean(seeded.get(i));
          }
          if (graph != null) {
            graph.writeTo(out);
            partition.writeTo(out);
          }
          out.finish();
        });
  }

  /**
   * Reads clusters that {@link #save} wrote.
   *
   * @throws CorruptFileException if the file is not a clusters file, is of another format version,
   *     or is damaged (cut short, altered: a checksum covers it), saying which
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static FaceClusters load(Path file) {
    try (InputStream stream = Files.newInputStream(file)) {
      FileFormat.Reader in =
          new FileFormat.Reader(new BufferedInputStream(stream, 1 << 16), FILE, file.toString());
      FaceClusters clusters;
      try {
        clusters = read(in, Files.size(file));
      } catch (EOFException e) {
        throw in.cutShort(e);
      } catch (StreamCorruptedException e) {
        throw in.damaged(e.getMessage());
      }
      in.finish();
      return clusters;
    } catch (EOFException e) {
      throw new CorruptFileException(file + " is damaged: it is cut short", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the content; {@code bytes}, the file's size, bounds every count before allocating. */
  private static FaceClusters read(DataInputStream in, long bytes) throws IOException {
    float threshold = in.readFloat();
    FaceClusters clusters;
    try {
      ClusteringOptions options =
          new ClusteringOptions(
              ClusterMethod.valueOf(in.readUTF()),
              in.readDouble(),
              in.readInt(),
              in.readInt(),
              in.readDouble());
      clusters = new FaceClusters(threshold, options);
    } catch (IllegalArgumentException e) {
      throw new StreamCorruptedException("bad settings: " + e.getMessage());
    }
    int dimension = in.readInt();
    int count = in.readInt();
    check(
        count >= 0
            && dimension >= 0
            && (count == 0) == (dimension == 0)
            && (long) count * (11 + 4L * dimension) <= bytes,
        "it claims " + count + " faces of dimension " + dimension + " in " + bytes + " bytes");
    double[] quality = new double[count];
    String[] sources = new String[count];
    for (int i = 0; i < count; i++) {
      quality[i] = in.readDouble();
      check(!Double.isInfinite(quality[i]), "face " + i + " has an infinite quality");
      sources[i] = in.readUTF();
      clusters.seeded.add(in.readBoolean());
    }
    if (count > 0) {
      clusters.graph =
          FaceGraph.readFrom(
              in,
              dimension,
              clusters.options.neighbours(),
              threshold,
              clusters.options.indexAbove());
      check(
          clusters.graph.size() == count,
          count + " faces but " + clusters.graph.size() + " vectors");
      clusters.partition = Partition.readFrom(in, clusters.graph);
      for (int i = 0; i < count; i++) {
        clusters.faces.add(
            new FaceItem(Embedding.of(clusters.graph.vector(i)), quality[i], sources[i]));
      }
    }
    return clusters;
  }

  private static void check(boolean ok, String problem) throws StreamCorruptedException {
    if (!ok) {
      throw new StreamCorruptedException(problem);
    }
  }

  /**
   * The clusters of at least {@link ClusteringOptions#minClusterSize()} faces, and every named
   * cluster: biggest first, then by id.
   */
  public synchronized List<Cluster> clusters() {
    List<Cluster> result = new ArrayList<>();
    if (partition == null) {
      return result;
    }
    for (int id : partition.clusters()) {
      if (isReported(id)) {
        result.add(clusterOf(id));
      }
    }
    result.sort(Comparator.comparingInt((Cluster c) -> -c.size()).thenComparingInt(Cluster::id));
    return result;
  }

  /** The faces in no reported cluster, ascending. */
  public synchronized List<Integer> noise() {
    List<Integer> noise = new ArrayList<>();
    for (int face = 0; face < faces.size(); face++) {
      if (!isReported(partition.clusterOf(face))) {
        noise.add(face);
      }
    }
    return noise;
  }

  /** Each face's cluster id, -1 for noise. */
  public synchronized int[] labels() {
    int[] labels = new int[faces.size()];
    for (int face = 0; face < labels.length; face++) {
      int c = partition.clusterOf(face);
      labels[face] = isReported(c) ? c : -1;
    }
    return labels;
  }

  /** The cluster with this id, if it exists (as a cluster or as noise). */
  public synchronized Optional<Cluster> cluster(int clusterId) {
    if (partition == null || !partition.exists(clusterId)) {
      return Optional.empty();
    }
    return Optional.of(clusterOf(clusterId));
  }

  /** The cluster of this name, if any. */
  public synchronized Optional<Cluster> named(String name) {
    if (partition == null) {
      return Optional.empty();
    }
    for (int id : partition.clusters()) {
      if (name.equals(partition.name(id))) {
        return Optional.of(clusterOf(id));
      }
    }
    return Optional.empty();
  }

  private Cluster clusterOf(int id) {
    int[] members = partition.members(id);
    Arrays.sort(members);
    return new Cluster(
        id, Optional.ofNullable(partition.name(id)), Arrays.stream(members).boxed().toList());
  }

  private boolean isReported(int cluster) {
    if (partition.name(cluster) != null) {
      return true;
    }
    int size = partition.size(cluster);
    return size >= options.minClusterSize()
        && (size > 1 || graph.isClusterable(partition.firstMember(cluster)));
  }

  private void update(int from) {
    long start = System.nanoTime();
    graph.connect(from);
    long searched = System.nanoTime();
    switch (options.method()) {
      case CONNECTED_COMPONENTS -> ConnectedComponents.update(graph, partition, from);
      case CHINESE_WHISPERS -> ChineseWhispers.update(graph, partition, from);
      case AVERAGE_LINKAGE -> AverageLinkage.update(graph, partition, from);
    }
    long done = System.nanoTime();
    log.debug(
        "clustered {} new faces of {}: neighbours {} ms, {} {} ms",
        faces.size() - from,
        faces.size(),
        (searched - start) / 1_000_000,
        options.method(),
        (done - searched) / 1_000_000);
  }

  private void checkDimensions(List<Embedding> embeddings) {
    if (embeddings.isEmpty()) {
      return;
    }
    int n = graph != null ? graph.dimension() : embeddings.get(0).dimension();
    for (int i = 0; i < embeddings.size(); i++) {
      checkArgument(
          embeddings.get(i).dimension() == n,
          "embedding %s has dimension %s, not %s",
          i,
          embeddings.get(i).dimension(),
          n);
    }
    if (graph == null) {
      graph = new FaceGraph(n, options.neighbours(), threshold, options.indexAbove());
      partition = new Partition(graph);
    }
  }

  private static void checkName(String name) {
    IdentityNames.check(name, "a cluster name");
  }
}
