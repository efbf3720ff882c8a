package dev.semblance.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Calibration;
import dev.semblance.Encoder;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Clustering on the GPU: the lfw-dev photos of everyone with two or more, forced onto the GPU's
 * neighbour search, must fall into exactly the clusters of the exact scan, at once and in batches.
 * Needs a GPU; skipped without one (before any encoding).
 */
class CudaClusteringTest {
  @Test
  void clustersOnTheGpuEqualTheExactScansAtOnceAndInBatches() throws IOException {
    assumeTrue(
        new CudaNeighbourSearch().isAvailableFor(512),
        "no CUDA GPU here: " + new CudaAccelerator().unavailableReason());
    List<FaceItem> faces = new ArrayList<>();
    try (Encoder encoder = Encoder.builder().build();
        Stream<Path> dirs = Files.list(TestData.dir("lfw-dev/images")).sorted()) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
          files = list.sorted().toList();
        }
        if (files.size() >= 2) {
          for (Path file : files) {
            faces.add(
                new FaceItem(
                    encoder.encodeMainFace(file).embedding(), Double.NaN, file.toString()));
          }
        }
      }
    }
    ClusteringOptions exact = ClusteringOptions.defaults();
    ClusteringOptions onGpu = exact.withIndexAbove(0);
    int[] scanned = partition(FaceClusters.of(faces, Calibration.bundled(), exact).labels());
    assertThat(partition(FaceClusters.of(faces, Calibration.bundled(), onGpu).labels()))
        .isEqualTo(scanned);
    FaceClusters batches = FaceClusters.create(Calibration.bundled(), onGpu);
    for (int b = 0; b < 4; b++) {
      batches.add(faces.subList(b * faces.size() / 4, (b + 1) * faces.size() / 4));
    }
    assertThat(partition(batches.labels())).isEqualTo(scanned);
  }

  /** Labels renumbered in order of first appearance: equal arrays, equal clusters. */
  private static int[] partition(int[] labels) {
    Map<Integer, Integer> renamed = new HashMap<>();
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = renamed.computeIfAbsent(labels[i], label -> renamed.size());
    }
    return out;
  }
}
