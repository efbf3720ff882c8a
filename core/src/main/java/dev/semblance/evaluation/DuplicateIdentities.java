package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds label mistakes among labelled faces that would pose as the most similar impostors of a
 * calibration: one person filed under two names (LFW's {@code Joseph_Blatter} and {@code
 * Sepp_Blatter}), or the same photograph under two names.
 *
 * <p>The rule, decided on LFW DevTrain (see {@code docs/accuracy.md}): two names are one person
 * when a photo of one and a photo of the other score at least {@value #SAME_PHOTO} (the same
 * photograph), or when they have at least two cross comparisons, at least one scores above {@value
 * #CANDIDATE}, and their photos are on average as similar across the names as within them.
 * Look-alikes fail the last test: their own photos agree more than they agree with each other.
 *
 * <p>Thread safety: stateless.
 */
public final class DuplicateIdentities {
  /** Two photos this similar are the same photograph. */
  public static final double SAME_PHOTO = 0.95;

  /** Only names with a cross comparison above this are examined (the FAR 10⁻⁴ region). */
  public static final double CANDIDATE = 0.45;

  /** How much less alike across the names than within them one person's photos may be. */
  public static final double WITHIN_MARGIN = 0.05;

  private DuplicateIdentities() {}

  /**
   * Two names judged to be one person.
   *
   * @param kept the name both now carry (the first in name order)
   * @param merged the other name
   * @param crossComparisons photo pairs across the two names: impostors that were genuine
   * @param meanCross their mean similarity
   * @param meanWithin the mean similarity of photo pairs within either name (NaN if none)
   */
  public record Merge(
      String kept, String merged, int crossComparisons, double meanCross, double meanWithin) {}

  /**
   * The labels with every duplicate merged, and the merges made.
   *
   * @param identities one label a face, in the order given; merged names carry the kept name
   * @param merges the merges, strongest first
   */
  public record Result(List<String> identities, List<Merge> merges) {
    /** How many impostor comparisons the merges turned into genuine ones. */
    public long impostorsRemoved() {
      return merges.stream().mapToLong(Merge::crossComparisons).sum();
    }
  }

  /**
   * Applies the rule to every pair of names of {@code identities}.
   *
   * @throws IllegalArgumentException if the lists differ in length or the dimensions differ
   */
  public static Result find(List<Embedding> embeddings, List<String> identities) {
    checkArgument(
        embeddings.size() == identities.size(),
        "%s embeddings but %s identities",
        embeddings.size(),
        identities.size());
    int n = embeddings.size();
    Map<String, double[]> within = new HashMap<>(); // name -> {sum, count}
    Map<List<String>, double[]> cross = new LinkedHashMap<>(); // {sum, count, max}
    List<int[]> candidates = new ArrayList<>(); // pairs of faces scoring above CANDIDATE
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        String a = identities.get(i);
        String b = identities.get(j);
        double s = embeddings.get(i).similarity(embeddings.get(j));
        if (a.equals(b)) {
          double[] w = within.computeIfAbsent(a, k -> new double[2]);
          w[0] += s;
          w[1]++;
        } else if (s > CANDIDATE) {
          candidates.add(new int[] {i, j});
        }
      }
    }
    for (int[] c : candidates) {
      cross.putIfAbsent(namePair(identities.get(c[0]), identities.get(c[1])), new double[0]);
    }
    Map<String, List<Integer>> faces = new HashMap<>();
    for (int i = 0; i < n; i++) {
      faces.computeIfAbsent(identities.get(i), k -> new ArrayList<>()).add(i);
    }
    for (List<String> pair : cross.keySet()) {
      double[] stats = {0, 0, -1};
      for (int i : faces.get(pair.get(0))) {
        for (int j : faces.get(pair.get(1))) {
          double s = embeddings.get(i).similarity(embeddings.get(j));
          stats[0] += s;
          stats[1]++;
          stats[2] = Math.max(stats[2], s);
        }
      }
      cross.put(pair, stats);
    }
    List<Merge> merges = new ArrayList<>();
    cross.forEach(
        (pair, stats) -> {
          double[] wa = within.getOrDefault(pair.get(0), new double[2]);
          double[] wb = within.getOrDefault(pair.get(1), new double[2]);
          double withinCount = wa[1] + wb[1];
          double meanWithin = withinCount == 0 ? Double.NaN : (wa[0] + wb[0]) / withinCount;
          double meanCross = stats[0] / stats[1];
          boolean samePhoto = stats[2] >= SAME_PHOTO;
          boolean alike =
              stats[1] >= 2 && withinCount > 0 && meanCross >= meanWithin - WITHIN_MARGIN;
          if (samePhoto || alike) {
            merges.add(new Merge(pair.get(0), pair.get(1), (int) stats[1], meanCross, meanWithin));
          }
        });
    merges.sort((x, y) -> Double.compare(y.meanCross(), x.meanCross()));
    Map<String, String> root = new HashMap<>();
    for (Merge m : merges) {
      String from = find(root, m.merged());
      String to = find(root, m.kept());
      if (!from.equals(to)) {
        root.put(from, to);
      }
    }
    List<String> relabelled = new ArrayList<>(n);
    for (String name : identities) {
      relabelled.add(find(root, name));
    }
    return new Result(List.copyOf(relabelled), List.copyOf(merges));
  }

  private static String find(Map<String, String> root, String name) {
    String r = name;
    while (root.containsKey(r)) {
      r = root.get(r);
    }
    return r;
  }

  private static List<String> namePair(String a, String b) {
    return a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a);
  }
}
