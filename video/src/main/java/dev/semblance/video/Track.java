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
 * One followed face: a box with a constant-velocity motion model (SORT-style: predicted between
 * detections, corrected by each matched one), hit and miss counts for birth and death, and the
 * evidence for its one decision — the embeddings of its best faces.
 *
 * <p>Not thread-safe: the watcher's thread owns its tracks.
 */
final class Track {
  /** How much a new measurement of velocity counts against the running estimate. */
  private static final float VELOCITY_GAIN = 0.5f;

  /** One face of the track that was embedded, ranked by {@code rank}. */
  record Evidence(long frame, float rank, Embedding embedding, RgbFrame thumbnail) {}

  final int id;
  final long firstFrame;
  final Duration firstTime;
  private Box box;
  private long updatedFrame;
  private float vx;
  private float vy;
  int hits;
  boolean confirmed;
  long lastSeenFrame;
  Duration lastSeenTime;
  final List<Evidence> evidence = new ArrayList<>();
  boolean evidenceChanged;
  Optional<String> identity = Optional.empty();
  float similarity = Float.NaN;
  boolean identified;

  Track(int id, Box box, long frame, Duration time) {
    this.id = id;
    this.box = box;
    this.firstFrame = frame;
    this.firstTime = time;
    this.updatedFrame = frame;
    this.lastSeenFrame = frame;
    this.lastSeenTime = time;
    this.hits = 1;
  }

  /** Where the face should be in {@code frame}, moving as it last moved. */
  Box predict(long frame) {
    float dt = frame - updatedFrame;
    return new Box(
        box.left() + vx * dt, box.top() + vy * dt, box.right() + vx * dt, box.bottom() + vy * dt);
  }

  /** Pixels per frame the face's centre moves. */
  float speed() {
    return (float) Math.hypot(vx, vy);
  }

  /** Corrects the track with a detection matched to it in {@code frame}. */
  void update(Box detected, long frame, Duration time) {
    float dt = Math.max(1, frame - updatedFrame);
    float mx = (detected.center().x() - box.center().x()) / dt;
    float my = (detected.center().y() - box.center().y()) / dt;
    vx += VELOCITY_GAIN * (mx - vx);
    vy += VELOCITY_GAIN * (my - vy);
    box = detected;
    updatedFrame = frame;
    lastSeenFrame = frame;
    lastSeenTime = time;
    hits++;
  }

  /** Whether a face found in this frame, ranked {@code rank}, would improve the evidence. */
  boolean wants(float rank, int keep) {
    return evidence.size() < keep || rank > evidence.get(evidence.size() - 1).rank();
  }

  /** Adds an embedded face, keeping the {@code keep} best. */
  void addEvidence(Evidence e, int keep) {
    evidence.add(e);
    evidence.sort(Comparator.comparingDouble(Evidence::rank).reversed());
    while (evidence.size() > keep) {
      evidence.remove(evidence.size() - 1);
    }
    evidenceChanged = evidence.contains(e);
  }

  /** The mean of the kept embeddings, as one template. */
  Embedding template() {
    float[] sum = new float[evidence.get(0).embedding().dimension()];
    for (Evidence e : evidence) {
      float[] v = e.embedding().toArray();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v[i];
      }
    }
    return Embedding.of(sum);
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
    return box;
  }
}
