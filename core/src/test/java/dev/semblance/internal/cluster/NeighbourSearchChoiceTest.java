package dev.semblance.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.spi.NeighbourSearch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which installed neighbour search clustering takes: exact ones that can run first. */
class NeighbourSearchChoiceTest {
  @Test
  void anExactSearchThatCanRunIsPreferredWhateverTheOrder() {
    NeighbourSearch graph = search("graph", false, true);
    NeighbourSearch gpu = search("gpu", true, true);
    NeighbourSearch other = search("other", false, true);
    assertThat(FaceGraph.choose(List.of(graph, gpu, other), 512)).containsSame(gpu);
    assertThat(FaceGraph.choose(List.of(gpu, graph), 512)).containsSame(gpu);
  }

  @Test
  void withoutItTheFirstApproximateSearchThatCanRunAndElseNone() {
    NeighbourSearch graph = search("graph", false, true);
    NeighbourSearch noGpu = search("gpu", true, false);
    NeighbourSearch other = search("other", false, true);
    assertThat(FaceGraph.choose(List.of(noGpu, graph, other), 512)).containsSame(graph);
    assertThat(FaceGraph.choose(List.of(noGpu), 512)).isEmpty();
    assertThat(FaceGraph.choose(List.of(), 512)).isEmpty();
  }

  private static NeighbourSearch search(String name, boolean exact, boolean available) {
    return new NeighbourSearch() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean isAvailableFor(int dimension) {
        return available;
      }

      @Override
      public boolean isExact() {
        return exact;
      }

      @Override
      public Index create(int dimension) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
