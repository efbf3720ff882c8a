package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.Embedding;
import dev.semblance.Face;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One followed face: its box under a Kalman filter, hit and miss counts for birth and death, and
 * the evidence for its one decision — the embeddings of its best faces, each of which agreed with
 * the others when it was added, so that the template is one person's.
 *
 * <p>Not thread-safe: the watcher's thread owns its tracks.
 */
final class Track {
  /**
   * One face of the track that was embedded.
   *
   * @param quality the face's own quality ({@link #quality(Face)})
   * @param stillness how still the face was ({@link #stillness}); NaN for the first face of a
   *     track, whose motion is not known
   * @param detectorRank what was known of the face before it was embedded ({@link
   *     #rankBeforeEmbedding})
   */
  record Evidence(
      long frame,
      float quality,
      float stillness,
      float detectorRank,
      Embedding embedding,
      RgbFrame thumbnail) {
    float rank() {
      return Track.rank(quality, stillness);
    }
  }

  /**
   * The share of the best evidence's rank that other faces need to count in the template: a face
   * much worse than the best (blurred as the person walked) would only pull the template away from
   * the person. Chosen on the training half of the crossing/occlusion/cut set (docs/video.md).
   */
  private static final float NEAR_BEST = 0.9f;

  /**
   * How much a face's detector rank must beat that of the face it would replace to be worth
   * embedding: the detector's score wavers from frame to frame on a face that does not change.
   */
  private static final float CLEARLY_BETTER = 1.1f;

  final int id;
  final long firstFrame;
  final Duration firstTime;
  private final BoxFilter filter;
  int person;
  int hits;
  boolean confirmed;

  /** Whether the last update had no detection for this face (occluded, or gone). */
  boolean missed;

  long lastSeenFrame;
  private Box lastDetected;
  Duration lastSeenTime;
  long lastEmbeddedFrame;

  /** Time out of view since the person first appeared, gaps inside this track included. */
  Duration unseen = Duration.ZERO;

  final List<Evidence> evidence = new ArrayList<>();
  private Embedding template;
  boolean evidenceChanged;
  Optional<String> identity = Optional.empty();
  float similarity = Float.NaN;
  boolean identified;

  Track(int id, Box box, long frame, Duration time) {
    this.id = id;
    this.filter = new BoxFilter(box, frame);
    this.firstFrame = frame;
    this.firstTime = time;
    this.lastSeenFrame = frame;
    this.lastDetected = box;
    this.lastSeenTime = time;
    this.lastEmbeddedFrame = Long.MIN_VALUE / 2;
    this.hits = 1;
  }

  /** Where the face should be in {@code frame}, moving as it last moved. */
  Box predict(long frame) {
    return filter.predict(frame);
  }

  /** Pixels per frame the face's centre moves. */
  float speed() {
    return filter.speed();
  }

  /** Corrects the track with a detection matched to it in {@code frame}. */
  void update(Box detected, long frame, Duration time) {
    filter.update(detected, frame);
    lastDetected = detected;
    lastSeenFrame = frame;
    lastSeenTime = time;
    missed = false;
    hits++;
  }

  /** Whether an embedded face, ranked {@code rank} ({@link Evidence#rank}), would improve it. */
  boolean wants(float rank, int keep) {
    return evidence.size() < keep || rank > evidence.get(evidence.size() - 1).rank();
  }

  /**
   * Whether a face not yet embedded is likely to improve the evidence: its detector rank against
   * the detector rank of the kept face it would replace — like with like, as a face's quality is
   * only known once it is embedded.
   */
  boolean mayWant(float detectorRank, int keep) {
    return evidence.size() < keep
        || detectorRank > CLEARLY_BETTER * evidence.get(evidence.size() - 1).detectorRank();
  }

  /** Adds an embedded face, keeping the {@code keep} best. */
  void addEvidence(Evidence e, int keep) {
    evidence.add(e);
    evidence.sort(Comparator.comparingDouble(Evidence::rank).reversed());
    while (evidence.size() > keep) {
      evidence.remove(evidence.size() - 1);
    }
    if (evidence.contains(e)) {
      evidenceChanged = true;
      template = null;
    }
  }

  /**
   * Whether the best face of the evidence whose motion is known was still enough to decide on:
   * {@code min} or more.
   */
  boolean stillEnough(float min) {
    for (Evidence e : evidence) {
      if (!Float.isNaN(e.stillness())) {
        return e.stillness() >= min;
      }
    }
    return false;
  }

  /**
   * The mean of the kept embeddings ranked near the best, as one template; null before the first.
   */
  Embedding template() {
    if (template == null && !evidence.isEmpty()) {
      float[] sum = new float[evidence.get(0).embedding().dimension()];
      float best = evidence.get(0).rank();
      for (Evidence e : evidence) {
        if (e.rank() < NEAR_BEST * best) {
          continue;
        }
        float[] v = e.embedding().toArray();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += v[i];
        }
      }
      template = Embedding.of(sum);
    }
    return template;
  }

  List<Long> evidenceFrames() {
    return evidence.stream().map(Evidence::frame).sorted().toList();
  }

  RgbFrame thumbnail() {
    return evidence.isEmpty() ? null : evidence.get(0).thumbnail();
  }

  /** The rank of a face before it is embedded: the detector's confidence and the face's size. */
  static float rankBeforeEmbedding(float detectorScore, Box box) {
    return detectorScore * Math.min(1f, box.width() / 112f);
  }

  /** How good a face is as evidence: its quality, less what its motion blurred (NaN: unknown). */
  static float rank(float quality, float stillness) {
    return Float.isNaN(stillness) ? quality : quality * stillness;
  }

  /** The quality of an embedded face: its overall quality where measured, else its rank before. */
  static float quality(Face face) {
    return face.quality().map(q -> q.score()).orElse(rankBeforeEmbedding(face.score(), face.box()));
  }

  /**
   * How still the face {@code detected} in {@code frame} is, in [0, 1]: 1 less the share of its
   * width it moved a frame since it was last detected. A face that moves is blurred by its motion,
   * which the quality of a single face hardly shows. Measured, not filtered: the filter's speed
   * lags behind a face that starts to move.
   */
  float stillness(Box detected, long frame) {
    float moved =
        (float)
            Math.hypot(
                detected.center().x() - lastDetected.center().x(),
                detected.center().y() - lastDetected.center().y());
    float perFrame = moved / Math.max(1, frame - lastSeenFrame);
    return Math.max(0f, 1f - perFrame / Math.max(1f, detected.width()));
  }

  Box box() {
    return filter.box();
  }
}
