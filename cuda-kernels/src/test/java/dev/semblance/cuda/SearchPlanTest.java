package dev.semblance.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The host-side cutting of a GPU search, checked for every shape the GPU check runs and more. */
class SearchPlanTest {
  private static final long BUDGET = 64L << 20;

  @Test
  void chunksCoverEveryRowOnceAndSegmentsCoverEveryChunk() {
    for (long rows : new long[] {1, 63, 64, 65, 1000, 4097, 1_000_000, 3_000_001}) {
      for (int queries : new int[] {1, 7, 8, 9, 64, 1024}) {
        for (int k : new int[] {1, 11, 64}) {
          SearchPlan plan = SearchPlan.of(rows, queries, k, BUDGET, 132);
          long covered = 0;
          for (int c = 0; c < plan.chunks(); c++) {
            assertThat(plan.chunkStart(c)).isEqualTo(covered);
            assertThat(plan.chunkLength(c)).isPositive().isLessThanOrEqualTo(plan.chunkRows());
            // A chunk's scores fit the scratch budget.
            assertThat(plan.chunkLength(c) * queries)
                .isLessThanOrEqualTo(Math.max(BUDGET, 64L * queries));
            assertThat(plan.segmentsIn(c)).isBetween(1, plan.segmentsPerChunk());
            assertThat((long) plan.segmentsIn(c) * plan.segment())
                .isGreaterThanOrEqualTo(plan.chunkLength(c));
            covered += plan.chunkLength(c);
          }
          assertThat(covered).as("%s rows, %s queries", rows, queries).isEqualTo(rows);
          if (plan.chunks() > 1) {
            assertThat(plan.chunkRows() % SearchPlan.TILE).isZero();
          }
          assertThat(plan.partialsPerQuery())
              .isEqualTo((long) plan.chunks() * plan.segmentsPerChunk() * k);
        }
      }
    }
  }

  @Test
  void aSingleQueryIsSpreadOverTheMultiprocessors() {
    SearchPlan plan = SearchPlan.of(1_000_000, 1, 11, BUDGET, 132);
    assertThat(plan.chunks()).isEqualTo(1);
    assertThat(plan.segmentsPerChunk()).isEqualTo(264);
    assertThat(plan.fewQueries()).isTrue();
    SearchPlan batch = SearchPlan.of(1_000_000, 1024, 11, BUDGET, 132);
    assertThat(batch.fewQueries()).isFalse();
    assertThat(batch.chunkRows()).isEqualTo(65_536);
    assertThat(batch.chunks()).isEqualTo(16);
  }

  @Test
  void impossiblePlansAreRefused() {
    assertThatThrownBy(() -> SearchPlan.of(10, 1, 65, BUDGET, 132))
        .hasMessageContaining("k must be");
    assertThatThrownBy(() -> SearchPlan.of(0, 1, 5, BUDGET, 132))
        .hasMessageContaining("empty search");
  }
}
