package dev.semblance.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TripletLossTest {
  private final TripletLoss loss = TripletLoss.withDefaultMargin();

  @Test
  void isZeroExactlyWhenTheMarginHolds() {
    float[] a = {0, 0};
    float[] p = {0.3f, 0}; // d(A,P)² = 0.09
    // d(A,N)² = 0.29: exactly the margin beyond → loss 0; a hair closer → positive.
    assertThat(loss.loss(a, p, new float[] {0, (float) Math.sqrt(0.29)}))
        .isCloseTo(0, offset(1e-7));
    assertThat(loss.loss(a, p, new float[] {0, 0.6f})).isZero(); // 0.36 > 0.29
    assertThat(loss.loss(a, p, new float[] {0, 0.5f})).isCloseTo(0.09 - 0.25 + 0.2, offset(1e-7));
    assertThat(TripletLoss.withMargin(0).loss(a, p, p)).isZero();
  }

  @Test
  void costIsTheSumOrTheMean() {
    float[][] e = {{0, 0}, {0.3f, 0}, {0, 0.5f}, {0, 0.1f}};
    List<Triplet> t = List.of(new Triplet(0, 1, 2), new Triplet(0, 1, 3));
    double l1 = loss.loss(e[0], e[1], e[2]);
    double l2 = loss.loss(e[0], e[1], e[3]);
    assertThat(loss.cost(e, t, false)).isCloseTo(l1 + l2, offset(1e-12));
    assertThat(loss.cost(e, t, true)).isCloseTo((l1 + l2) / 2, offset(1e-12));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random random = new Random(3);
    float[][] e = new float[6][5];
    for (float[] row : e) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) random.nextGaussian() * 0.3f;
      }
    }
    List<Triplet> triplets =
        List.of(new Triplet(0, 1, 2), new Triplet(3, 4, 5), new Triplet(0, 4, 5));
    TripletLoss wide = TripletLoss.withMargin(2.0); // keep every triplet active
    float[][] grad = new float[6][5];
    wide.costAndGradient(e, triplets, true, grad);
    double h = 1e-3;
    for (int r = 0; r < 6; r++) {
      for (int c = 0; c < 5; c++) {
        float keep = e[r][c];
        e[r][c] = (float) (keep + h);
        double up = wide.cost(e, triplets, true);
        e[r][c] = (float) (keep - h);
        double down = wide.cost(e, triplets, true);
        e[r][c] = keep;
        assertThat((double) grad[r][c])
            .as("dJ/de[%s][%s]", r, c)
            .isCloseTo((up - down) / (2 * h), offset(2e-3));
      }
    }
  }

  @Test
  void inactiveTripletsHaveNoGradient() {
    float[][] e = {{0, 0}, {0.1f, 0}, {0, 1}};
    float[][] grad = new float[3][2];
    assertThat(loss.costAndGradient(e, List.of(new Triplet(0, 1, 2)), false, grad)).isZero();
    assertThat(grad[0]).containsOnly(0f);
  }
}
