package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well a clustering matches the truth, by the usual measures for face clustering. Noise faces
 * (label -1) count as clusters of one, so leaving a face alone costs recall, not precision.
 *
 * <ul>
 *   <li>BCubed (Bagga and Baldwin 1998; Amigó et al. 2009): for each face, the share of its cluster
 *       that is the same person (precision) and the share of its person found in its cluster
 *       (recall), averaged over faces. Every face weighs the same, so big clusters do not dominate.
 *   <li>Pairwise: of the pairs of faces put together, the share that are the same person
 *       (precision); of the pairs of the same person, the share put together (recall).
 * </ul>
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param faces faces scored
 * @param clusters clusters, noise not counted
 * @param people distinct true identities
 * @param noise faces in no cluster
 */
public record ClusteringQuality(
    int faces,
    int clusters,
    int people,
    int noise,
    double bcubedPrecision,
    double bcubedRecall,
    double pairwisePrecision,
    double pairwiseRecall) {

  /**
   * Scores cluster labels (-1 for noise) against true identities, face by face.
   *
   * @throws IllegalArgumentException if the lengths differ or there are no faces
   */
  public static ClusteringQuality of(int[] labels, List<String> truth) {
    checkArgument(
        labels.length == truth.size(),
        "%s labels for %s true identities",
        labels.length,
        truth.size());
    checkArgument(labels.length > 0, "no faces to score");
    // Noise faces become clusters of their own with ids below -1.
    int[] cluster = new int[labels.length];
    int noise = 0;
    for (int i = 0; i < labels.length; i++) {
      cluster[i] = labels[i] >= 0 ? labels[i] : -2 - noise++;
    }
    Map<Integer, Integer> clusterSize = new HashMap<>();
    Map<String, Integer> personSize = new HashMap<>();
    Map<String, Integer> cell = new HashMap<>();
    for (int i = 0; i < cluster.length; i++) {
      clusterSize.merge(cluster[i], 1, Integer::sum);
      personSize.merge(truth.get(i), 1, Integer::sum);
      cell.merge(cluster[i] + "\u0000" + truth.get(i), 1, Integer::sum);
    }
    double precision = 0;
    double recall = 0;
    for (int i = 0; i < cluster.length; i++) {
      int together = cell.get(cluster[i] + "\u0000" + truth.get(i));
      precision += (double) together / clusterSize.get(cluster[i]);
      recall += (double) together / personSize.get(truth.get(i));
    }
    double truePairs = cell.values().stream().mapToDouble(ClusteringQuality::pairs).sum();
    double predicted = clusterSize.values().stream().mapToDouble(ClusteringQuality::pairs).sum();
    double actual = personSize.values().stream().mapToDouble(ClusteringQuality::pairs).sum();
    return new ClusteringQuality(
        labels.length,
        clusterSize.size() - noise,
        personSize.size(),
        noise,
        precision / labels.length,
        recall / labels.length,
        predicted == 0 ? 1 : truePairs / predicted,
        actual == 0 ? 1 : truePairs / actual);
  }

  /** The harmonic mean of BCubed precision and recall. */
  public double bcubedF() {
    return harmonic(bcubedPrecision, bcubedRecall);
  }

  /** The harmonic mean of pairwise precision and recall. */
  public double pairwiseF() {
    return harmonic(pairwisePrecision, pairwiseRecall);
  }

  /** The share of faces in no cluster. */
  public double noiseShare() {
    return (double) noise / faces;
  }

  private static double pairs(int n) {
    return n * (n - 1) / 2.0;
  }

  private static double harmonic(double p, double r) {
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
}
