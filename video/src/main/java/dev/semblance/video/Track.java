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
   * One face of the track that was embedded, ranked by {@code rank}; {@code detectorRank} is what
   * was known of it before it was embedded ({@link #rankBeforeEmbedding}).
   */
  record Evidence(
      long frame, float rank, float detectorRank, Embedding embedding, RgbFrame thumbnail) {}

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
    lastSeenFrame = frame;
    lastSeenTime = time;
    missed = false;
    hits++;
  }

  /** Whether an embedded face, ranked {@code rank}, would improve the evidence. */
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

  /** The mean of the kept embeddings, as one template; null before the first. */
  Embedding template() {
    if (template == null && !evidence.isEmpty()) {
      float[] sum = new float[evidence.get(0).embedding().dimension()];
      for (Evidence e : evidence) {
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

  /** The rank of an embedded face: its overall quality where measured, else as before. */
  static float rank(Face face) {
    return face.quality().map(q -> q.score()).orElse(rankBeforeEmbedding(face.score(), face.box()));
  }

  Box box() {
    return filter.box();
  }
}
