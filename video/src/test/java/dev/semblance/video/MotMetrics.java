package dev.semblance.video;

import dev.semblance.Box;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-object tracking metrics as the MOT challenge and py-motmetrics define them, reimplemented:
 * CLEAR MOT (MOTA with misses, false positives and identity switches counted per frame;
 * fragmentations) and the identity measures (IDF1 from the one-to-one matching of true and
 * hypothesised identities that maximises the frames they agree on), where a true and a hypothesised
 * box correspond when their IoU is at least 0.5; and HOTA (Luiten et al., 2021, as TrackEval
 * computes it), over localisation thresholds from 0.05 to 0.95.
 *
 * <p>Not thread-safe: fed frame by frame by one thread.
 */
final class MotMetrics {
  static final float IOU = 0.5f;

  /** A box with its identity, true or hypothesised. */
  record Item<I>(I id, Box box) {}

  private long truths;
  private long hypotheses;
  private long misses;
  private long falsePositives;
  private long switches;
  private long fragmentations;
  private final Map<String, Integer> lastMatch = new HashMap<>();
  private final Map<String, Boolean> trackedLastFrame = new HashMap<>();
  // Frames each (truth, hypothesis) pair overlaps, and each identity's length, for IDF1.
  private final Map<String, Map<Integer, Integer>> together = new HashMap<>();
  private final Map<String, Integer> truthLength = new HashMap<>();
  private final Map<Integer, Integer> hypothesisLength = new HashMap<>();

  /** Per hypothesis, frames matched to each truth: for its majority truth. */
  private final Map<Integer, Map<String, Integer>> matchedTo = new HashMap<>();

  /** One frame's identities and the overlaps of their boxes, for HOTA. */
  private record Overlaps(List<String> truths, List<Integer> hypotheses, float[][] iou) {}

  private final List<Overlaps> overlaps = new ArrayList<>();

  /** Adds one frame. */
  void frame(List<Item<String>> truth, List<Item<Integer>> hypotheses) {
    float[][] iou = new float[truth.size()][hypotheses.size()];
    for (int t = 0; t < truth.size(); t++) {
      for (int h = 0; h < hypotheses.size(); h++) {
        iou[t][h] = truth.get(t).box().iou(hypotheses.get(h).box());
      }
    }
    overlaps.add(
        new Overlaps(
            truth.stream().map(Item::id).toList(),
            hypotheses.stream().map(Item::id).toList(),
            iou));
    this.truths += truth.size();
    this.hypotheses += hypotheses.size();
    for (Item<String> t : truth) {
      truthLength.merge(t.id(), 1, Integer::sum);
      for (Item<Integer> h : hypotheses) {
        if (t.box().iou(h.box()) >= IOU) {
          together.computeIfAbsent(t.id(), k -> new HashMap<>()).merge(h.id(), 1, Integer::sum);
        }
      }
    }
    for (Item<Integer> h : hypotheses) {
      hypothesisLength.merge(h.id(), 1, Integer::sum);
    }
    // CLEAR MOT: keep last frame's correspondences that still hold, match the rest by IoU.
    int[] match = new int[truth.size()];
    java.util.Arrays.fill(match, -1);
    boolean[] taken = new boolean[hypotheses.size()];
    for (int t = 0; t < truth.size(); t++) {
      Integer previous = lastMatch.get(truth.get(t).id());
      for (int h = 0; previous != null && h < hypotheses.size(); h++) {
        if (!taken[h]
            && hypotheses.get(h).id().equals(previous)
            && truth.get(t).box().iou(hypotheses.get(h).box()) >= IOU) {
          match[t] = h;
          taken[h] = true;
        }
      }
    }
    List<Integer> freeT = new ArrayList<>();
    List<Integer> freeH = new ArrayList<>();
    for (int t = 0; t < truth.size(); t++) {
      if (match[t] < 0) {
        freeT.add(t);
      }
    }
    for (int h = 0; h < hypotheses.size(); h++) {
      if (!taken[h]) {
        freeH.add(h);
      }
    }
    double[][] cost = new double[freeT.size()][freeH.size()];
    for (int i = 0; i < freeT.size(); i++) {
      for (int j = 0; j < freeH.size(); j++) {
        float overlap = iou[freeT.get(i)][freeH.get(j)];
        cost[i][j] = overlap >= IOU ? 1 - overlap : Double.POSITIVE_INFINITY;
      }
    }
    int[] assigned = Assignment.solve(cost);
    for (int i = 0; i < assigned.length; i++) {
      if (assigned[i] >= 0) {
        match[freeT.get(i)] = freeH.get(assigned[i]);
        taken[freeH.get(assigned[i])] = true;
      }
    }
    for (int t = 0; t < truth.size(); t++) {
      String id = truth.get(t).id();
      boolean wasTracked = trackedLastFrame.getOrDefault(id, false);
      if (match[t] < 0) {
        misses++;
        trackedLastFrame.put(id, false);
        continue;
      }
      int h = hypotheses.get(match[t]).id();
      Integer previous = lastMatch.get(id);
      if (previous != null && previous != h) {
        switches++;
      }
      if (previous != null && !wasTracked) {
        fragmentations++;
      }
      lastMatch.put(id, h);
      trackedLastFrame.put(id, true);
      matchedTo.computeIfAbsent(h, k -> new HashMap<>()).merge(id, 1, Integer::sum);
    }
    for (boolean tk : taken) {
      falsePositives += tk ? 0 : 1;
    }
  }

  /** Truth boxes not hidden or out of frame, over all frames. */
  long truths() {
    return truths;
  }

  long misses() {
    return misses;
  }

  long falsePositives() {
    return falsePositives;
  }

  long switches() {
    return switches;
  }

  long fragmentations() {
    return fragmentations;
  }

  /** 1 − (misses + false positives + identity switches) / truths. */
  double mota() {
    return 1 - (misses + falsePositives + switches) / (double) truths;
  }

  /** 2·IDTP / (truths + hypotheses), IDTP from the best one-to-one matching of identities. */
  double idf1() {
    List<String> ts = new ArrayList<>(truthLength.keySet());
    List<Integer> hs = new ArrayList<>(hypothesisLength.keySet());
    if (ts.isEmpty() || hs.isEmpty()) {
      return 0;
    }
    double[][] cost = new double[ts.size()][hs.size()];
    for (int i = 0; i < ts.size(); i++) {
      Map<Integer, Integer> with = together.getOrDefault(ts.get(i), Map.of());
      for (int j = 0; j < hs.size(); j++) {
        cost[i][j] = -with.getOrDefault(hs.get(j), 0);
      }
    }
    int[] assigned = Assignment.solve(cost);
    long idtp = 0;
    for (int i = 0; i < assigned.length; i++) {
      if (assigned[i] >= 0) {
        idtp -= (long) cost[i][assigned[i]];
      }
    }
    return 2.0 * idtp / (truths + hypotheses);
  }

  /**
   * HOTA: at each localisation threshold α (0.05, 0.10, …, 0.95), √(DetA · AssA), averaged over α.
   * Each frame's boxes are matched to maximise overlap × how well their identities align over the
   * whole sequence; DetA = TP / (TP + FN + FP); AssA = the mean, over true positives, of the
   * association IoU of their two identities (frames matched together / frames of either, less
   * those).
   */
  double hota() {
    Map<String, Integer> truthIndex = new HashMap<>();
    Map<Integer, Integer> hypothesisIndex = new HashMap<>();
    for (Overlaps f : overlaps) {
      f.truths().forEach(t -> truthIndex.putIfAbsent(t, truthIndex.size()));
      f.hypotheses().forEach(h -> hypothesisIndex.putIfAbsent(h, hypothesisIndex.size()));
    }
    int nt = truthIndex.size();
    int nh = hypothesisIndex.size();
    if (nt == 0 || nh == 0) {
      return 0;
    }
    // How well each pair of identities aligns over the sequence, from soft per-frame overlaps.
    double[][] potential = new double[nt][nh];
    double[] truthFrames = new double[nt];
    double[] hypothesisFrames = new double[nh];
    for (Overlaps f : overlaps) {
      float[][] iou = f.iou();
      double[] rows = new double[f.truths().size()];
      double[] cols = new double[f.hypotheses().size()];
      for (int t = 0; t < rows.length; t++) {
        for (int h = 0; h < cols.length; h++) {
          rows[t] += iou[t][h];
          cols[h] += iou[t][h];
        }
      }
      for (int t = 0; t < rows.length; t++) {
        int ti = truthIndex.get(f.truths().get(t));
        truthFrames[ti]++;
        for (int h = 0; h < cols.length; h++) {
          double denominator = rows[t] + cols[h] - iou[t][h];
          if (denominator > 1e-9) {
            potential[ti][hypothesisIndex.get(f.hypotheses().get(h))] += iou[t][h] / denominator;
          }
        }
      }
      for (Integer h : f.hypotheses()) {
        hypothesisFrames[hypothesisIndex.get(h)]++;
      }
    }
    double[][] alignment = new double[nt][nh];
    for (int t = 0; t < nt; t++) {
      for (int h = 0; h < nh; h++) {
        alignment[t][h] =
            potential[t][h] / (truthFrames[t] + hypothesisFrames[h] - potential[t][h]);
      }
    }
    int alphas = 19;
    long[] tp = new long[alphas];
    long[] fn = new long[alphas];
    long[] fp = new long[alphas];
    List<Map<Long, Integer>> matched = new ArrayList<>();
    for (int a = 0; a < alphas; a++) {
      matched.add(new HashMap<>());
    }
    for (Overlaps f : overlaps) {
      float[][] iou = f.iou();
      double[][] cost = new double[iou.length][f.hypotheses().size()];
      for (int t = 0; t < iou.length; t++) {
        int ti = truthIndex.get(f.truths().get(t));
        for (int h = 0; h < cost[t].length; h++) {
          cost[t][h] = -alignment[ti][hypothesisIndex.get(f.hypotheses().get(h))] * iou[t][h];
        }
      }
      int[] assigned = Assignment.solve(cost);
      for (int a = 0; a < alphas; a++) {
        double alpha = 0.05 * (a + 1);
        int hits = 0;
        for (int t = 0; t < assigned.length; t++) {
          if (assigned[t] >= 0 && iou[t][assigned[t]] >= alpha - 1e-6) {
            hits++;
            long pair =
                (long) truthIndex.get(f.truths().get(t)) * nh
                    + hypothesisIndex.get(f.hypotheses().get(assigned[t]));
            matched.get(a).merge(pair, 1, Integer::sum);
          }
        }
        tp[a] += hits;
        fn[a] += iou.length - hits;
        fp[a] += f.hypotheses().size() - hits;
      }
    }
    double sum = 0;
    for (int a = 0; a < alphas; a++) {
      double association = 0;
      for (Map.Entry<Long, Integer> e : matched.get(a).entrySet()) {
        int t = (int) (e.getKey() / nh);
        int h = (int) (e.getKey() % nh);
        double together = e.getValue();
        association += together * together / (truthFrames[t] + hypothesisFrames[h] - together);
      }
      double assA = association / Math.max(1, tp[a]);
      double detA = tp[a] / (double) Math.max(1, tp[a] + fn[a] + fp[a]);
      sum += Math.sqrt(detA * assA);
    }
    return sum / alphas;
  }

  /** The truth a hypothesis was matched to most often, or null if never. */
  String majorityTruth(int hypothesis) {
    Map<String, Integer> counts = matchedTo.get(hypothesis);
    if (counts == null) {
      return null;
    }
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }
}
