package dev.semblance.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Calibration;
import dev.semblance.Encoder;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.evaluation.ClusteringQuality;
import dev.semblance.graph.internal.GraphNeighbourSearch;
import dev.semblance.spi.NeighbourSearch;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clustering through the graph index (this module's {@code NeighbourSearch}, found by the
 * ServiceLoader) against the exact scan, on the lfw-dev photos of everyone with two or more: forced
 * onto the index with {@code indexAbove(0)}, at once and in batches, the clusters are as good as
 * the exact scan's.
 */
class GraphClusteringTest {
  private static final Logger log = LoggerFactory.getLogger(GraphClusteringTest.class);
  private static final List<FaceItem> faces = new ArrayList<>();
  private static final List<String> people = new ArrayList<>();

  @BeforeAll
  static void encode() throws IOException {
    Path images = TestData.dir("lfw-dev/images");
    try (Encoder encoder = Encoder.builder().build();
        Stream<Path> dirs = Files.list(images).sorted()) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
          files = list.sorted().toList();
        }
        if (files.size() < 2) {
          continue;
        }
        for (Path file : files) {
          faces.add(
              new FaceItem(encoder.encodeMainFace(file).embedding(), Double.NaN, file.toString()));
          people.add(dir.getFileName().toString());
        }
      }
    }
  }

  @Test
  void clusteringFindsThisModulesIndex() {
    assertThat(ServiceLoader.load(NeighbourSearch.class).findFirst())
        .get()
        .isInstanceOf(GraphNeighbourSearch.class);
  }

  @Test
  void theIndexClustersAsWellAsTheExactScanAtOnceAndInBatches() {
    ClusteringOptions exact = ClusteringOptions.defaults();
    ClusteringOptions indexed = exact.withIndexAbove(0);
    ClusteringQuality scanned =
        ClusteringQuality.of(FaceClusters.of(faces, Calibration.bundled(), exact).labels(), people);
    ClusteringQuality graph =
        ClusteringQuality.of(
            FaceClusters.of(faces, Calibration.bundled(), indexed).labels(), people);
    FaceClusters batches = FaceClusters.create(Calibration.bundled(), indexed);
    for (int b = 0; b < 4; b++) {
      batches.add(faces.subList(b * faces.size() / 4, (b + 1) * faces.size() / 4));
    }
    ClusteringQuality batched = ClusteringQuality.of(batches.labels(), people);
    log.info(
        String.format(
            Locale.ROOT,
            "%d faces of %d people: BCubed F exact %.4f, graph index %.4f, index in 4 batches %.4f",
            faces.size(),
            scanned.people(),
            scanned.bcubedF(),
            graph.bcubedF(),
            batched.bcubedF()));
    assertThat(faces).hasSizeGreaterThan(3000);
    assertThat(scanned.bcubedF()).isGreaterThan(0.9);
    assertThat(graph.bcubedF()).isCloseTo(scanned.bcubedF(), within(0.002));
    assertThat(batched.bcubedF()).isCloseTo(scanned.bcubedF(), within(0.002));
  }
}
