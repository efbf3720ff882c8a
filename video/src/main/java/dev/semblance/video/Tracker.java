package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.Detection;
import dev.semblance.Embedding;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows faces from boxes and embeddings alone, with no model in it: a Kalman filter per face,
 * assignment by the Hungarian algorithm on a cost that mixes overlap and appearance, ByteTrack's
 * second pass for weak detections, lost tracks kept for a while, cuts that end every track, and
 * people re-identified when they come back within a time window.
 *
 * <p>Its one rule above all: a face whose embedding disagrees with a track's evidence (below the
 * same-person gate) never joins that track; it starts its own. So a track's template, and the
 * decision made on it, are one person's even when two faces cross or one hides the other.
 *
 * <p>Appeared and Left are reported to the listener; the decision ({@code Identified}) is the
 * caller's, made on {@link Track#template()}.
 *
 * <p>Not thread-safe: one watch's thread owns it.
 */
final class Tracker {
  /**
   * @param minHits detections a new face needs before it is followed and reported
   * @param maxLostFrames frames a followed face may go unseen before it has left
   * @param minIou the overlap a detection needs with a track's predicted box, without appearance
   * @param highScore detections below this score only continue tracks (ByteTrack's second pass)
   * @param samePerson the similarity a face needs with a track's template to join it
   * @param reidentify the similarity a new track needs with a departed one to be the same person
   * @param reidWindow how long a departed person may be re-identified
   * @param keepFaces the best faces a track keeps as evidence
   * @param checkEvery frames after which a track's face is embedded again, to check it is the same
   */
  record Settings(
      int minHits,
      int maxLostFrames,
      float minIou,
      float highScore,
      float samePerson,
      float reidentify,
      Duration reidWindow,
      int keepFaces,
      int checkEvery) {}

  /**
   * A detection of this frame, with its embedding where one was made ({@link #needsEmbedding}).
   *
   * @param quality how good the face is as evidence, its motion aside (higher is better)
   * @param thumbnail the face cropped, made only when kept as evidence
   */
  record Observation(
      Box box, float score, Embedding embedding, float quality, Supplier<RgbFrame> thumbnail) {}

  /** A person who left recently, for re-identification. */
  private record Departed(int person, Embedding template, Duration lastSeen, Duration unseen) {}

  private final Settings settings;
  private final Consumer<FaceEvent> listener;
  private final List<Track> tracks = new ArrayList<>();
  private final List<Departed> departed = new ArrayList<>();
  private int nextTrack = 1;
  private int nextPerson = 1;
  private Duration previousUpdate = Duration.ZERO;

  Tracker(Settings settings, Consumer<FaceEvent> listener) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The tracks alive, confirmed or not, lost or not. */
  List<Track> tracks() {
    return tracks;
  }

  /** Tracks started so far, including those never confirmed. */
  int tracksStarted() {
    return nextTrack - 1;
  }

  /**
   * Which detections of {@code frame} need an embedding before {@link #update}: a face near another
   * face or track (where boxes alone cannot tell who is who), one no track overlaps (new, or back
   * from behind someone), one whose track is out of sight, has no template yet, is due for a check,
   * or would gain evidence from it. A lone face followed steadily is not embedded.
   */
  boolean[] needsEmbedding(long frame, List<Detection> detections) {
    List<Box> predicted = new ArrayList<>(tracks.size());
    for (Track t : tracks) {
      predicted.add(t.predict(frame));
    }
    boolean[] need = new boolean[detections.size()];
    for (int d = 0; d < detections.size(); d++) {
      Box box = detections.get(d).box();
      Track best = null;
      float bestIou = 0;
      int near = 0;
      for (int t = 0; t < tracks.size(); t++) {
        float iou = predicted.get(t).iou(box);
        if (iou > bestIou) {
          bestIou = iou;
          best = tracks.get(t);
        }
        if (near(predicted.get(t), box)) {
          near++;
        }
      }
      for (int o = 0; o < detections.size(); o++) {
        if (o != d && near(detections.get(o).box(), box)) {
          near = Math.max(near, 2);
        }
      }
      need[d] =
          near >= 2
              || best == null
              || bestIou < settings.minIou()
              || best.missed
              || best.template() == null
              || frame - best.lastEmbeddedFrame >= settings.checkEvery()
              || best.mayWant(
                  Track.rankBeforeEmbedding(detections.get(d).score(), box), settings.keepFaces());
    }
    return need;
  }

  /** Two boxes close enough that a face could be taken for the other: half a face apart or less. */
  private static boolean near(Box a, Box b) {
    float reachX = 0.75f * (a.width() + b.width());
    float reachY = 0.75f * (a.height() + b.height());
    return Math.abs(a.center().x() - b.center().x()) < reachX
        && Math.abs(a.center().y() - b.center().y()) < reachY;
  }

  /** Matches this frame's detections to the tracks, starts, confirms and ends tracks. */
  void update(long frame, Duration time, List<Observation> observations) {
    List<Integer> high = new ArrayList<>();
    List<Integer> low = new ArrayList<>();
    for (int o = 0; o < observations.size(); o++) {
      (observations.get(o).score() >= settings.highScore() ? high : low).add(o);
    }
    Track[] owner = new Track[observations.size()];
    boolean[] matched = new boolean[tracks.size()];
    List<Integer> all = new ArrayList<>();
    for (int t = 0; t < tracks.size(); t++) {
      all.add(t);
    }
    associate(frame, observations, high, all, owner, matched);
    // ByteTrack: weak detections (a face half hidden, blurred) only continue tracks. One out of
    // sight is continued only by a face whose embedding shows it is the same person (cost()).
    List<Integer> unmatched = new ArrayList<>();
    for (int t = 0; t < tracks.size(); t++) {
      if (!matched[t]) {
        unmatched.add(t);
      }
    }
    associate(frame, observations, low, unmatched, owner, matched);

    for (int o = 0; o < observations.size(); o++) {
      if (owner[o] != null) {
        follow(owner[o], observations.get(o), frame, time);
      }
    }
    Iterator<Track> it = tracks.iterator();
    for (int t = 0; it.hasNext(); t++) {
      Track track = it.next();
      if (matched[t]) {
        continue;
      }
      if (!track.confirmed || frame - track.lastSeenFrame > settings.maxLostFrames()) {
        it.remove();
        end(track, time);
      } else if (!track.missed) {
        track.missed = true;
      }
    }
    for (int o : high) {
      if (owner[o] == null && !onAFollowedFace(observations.get(o), frame)) {
        Observation ob = observations.get(o);
        Track born = new Track(nextTrack++, ob.box(), frame, time);
        tracks.add(born);
        if (ob.embedding() != null) {
          born.lastEmbeddedFrame = frame;
          born.addEvidence(evidence(ob, Float.NaN, frame), settings.keepFaces());
        }
      }
    }
    for (Track track : tracks) {
      if (!track.confirmed && track.hits >= settings.minHits()) {
        confirm(track, frame, time);
      }
    }
    previousUpdate = time;
  }

  /** Assigns {@code candidates} observations to the tracks listed, by the cheapest total cost. */
  private void associate(
      long frame,
      List<Observation> observations,
      List<Integer> candidates,
      List<Integer> trackIndices,
      Track[] owner,
      boolean[] matched) {
    if (candidates.isEmpty() || trackIndices.isEmpty()) {
      return;
    }
    double[][] cost = new double[trackIndices.size()][candidates.size()];
    for (int i = 0; i < trackIndices.size(); i++) {
      Track track = tracks.get(trackIndices.get(i));
      Box predicted = track.predict(frame);
      for (int j = 0; j < candidates.size(); j++) {
        cost[i][j] = cost(track, predicted, observations.get(candidates.get(j)), frame);
      }
    }
    int[] assigned = Assignment.solve(cost);
    for (int i = 0; i < assigned.length; i++) {
      if (assigned[i] >= 0) {
        int t = trackIndices.get(i);
        matched[t] = true;
        owner[candidates.get(assigned[i])] = tracks.get(t);
      }
    }
  }

  /**
   * The cost of continuing {@code track} with {@code o}: 1 − IoU by motion alone; with both
   * embeddings, half that and half the appearance distance, and a face that is not the track's
   * person (below the same-person gate) is forbidden whatever its overlap. A track out of sight is
   * continued only by a face that shows it is the same person, found near where it was heading.
   */
  private double cost(Track track, Box predicted, Observation o, long frame) {
    float iou = predicted.iou(o.box());
    Embedding template = track.template();
    if (template == null || o.embedding() == null) {
      return !track.missed && iou >= settings.minIou() ? 1 - iou : Double.POSITIVE_INFINITY;
    }
    float similarity = template.similarity(o.embedding());
    if (similarity < settings.samePerson()) {
      return Double.POSITIVE_INFINITY;
    }
    if (iou < settings.minIou()) {
      // Out of sight for a while the prediction drifts: the reach grows with the time unseen.
      float unseen = frame - track.lastSeenFrame;
      float reach = Math.min(3f, 0.5f + 0.05f * unseen) * predicted.height();
      float dx = o.box().center().x() - predicted.center().x();
      float dy = o.box().center().y() - predicted.center().y();
      if (Math.hypot(dx, dy) > reach) {
        return Double.POSITIVE_INFINITY;
      }
    }
    return 0.5 * (1 - iou) + 0.5 * (1 - similarity);
  }

  private void follow(Track track, Observation o, long frame, Duration time) {
    if (track.missed) {
      // Back after an occlusion: out of view from its last sighting to the last update it missed.
      track.unseen = track.unseen.plus(previousUpdate.minus(track.lastSeenTime));
    }
    float stillness = track.stillness(o.box(), frame);
    track.update(o.box(), frame, time);
    if (o.embedding() != null) {
      track.lastEmbeddedFrame = frame;
      if (track.wants(Track.rank(o.quality(), stillness), settings.keepFaces())) {
        track.addEvidence(evidence(o, stillness, frame), settings.keepFaces());
      }
    }
  }

  private static Track.Evidence evidence(Observation o, float stillness, long frame) {
    return new Track.Evidence(
        frame,
        o.quality(),
        stillness,
        Track.rankBeforeEmbedding(o.score(), o.box()),
        o.embedding(),
        o.thumbnail().get());
  }

  /**
   * Whether a leftover detection lies on a face followed in this frame: a second box the detector
   * gave the same face — unless its embedding says it is someone else (a face half behind it).
   */
  private boolean onAFollowedFace(Observation o, long frame) {
    Box box = o.box();
    for (Track track : tracks) {
      if (track.confirmed && track.lastSeenFrame == frame) {
        Box followed = track.box();
        boolean inside =
            box.center().x() > followed.left()
                && box.center().x() < followed.right()
                && box.center().y() > followed.top()
                && box.center().y() < followed.bottom();
        boolean someoneElse =
            o.embedding() != null
                && track.template() != null
                && track.template().similarity(o.embedding()) < settings.samePerson();
        if (inside && !someoneElse) {
          return true;
        }
      }
    }
    return false;
  }

  /** A face seen often enough: it is followed, and is a person who just left or a new one. */
  private void confirm(Track track, long frame, Duration time) {
    track.confirmed = true;
    departed.removeIf(d -> time.minus(d.lastSeen()).compareTo(settings.reidWindow()) > 0);
    Embedding template = track.template();
    if (template != null) {
      Departed best = null;
      float bestSimilarity = settings.reidentify();
      for (Departed d : departed) {
        float s = d.template().similarity(template);
        if (s >= bestSimilarity) {
          best = d;
          bestSimilarity = s;
        }
      }
      if (best != null) {
        departed.remove(best);
        track.person = best.person();
        track.unseen = best.unseen().plus(track.firstTime.minus(best.lastSeen()));
      }
    }
    if (track.person == 0) {
      track.person = nextPerson++;
    }
    listener.accept(new FaceEvent.Appeared(track.id, track.person, time, frame, track.box()));
  }

  /** A shot change: nobody on screen before it is on screen after it. Ends every track. */
  void cut(Duration time) {
    for (Track track : tracks) {
      end(track, time);
    }
    tracks.clear();
  }

  /** Ends every open track, at the end of the video. */
  void finish(Duration time) {
    cut(time);
  }

  private void end(Track track, Duration time) {
    if (!track.confirmed) {
      return;
    }
    if (track.template() != null) {
      departed.add(new Departed(track.person, track.template(), track.lastSeenTime, track.unseen));
    }
    listener.accept(
        new FaceEvent.Left(
            track.id,
            track.person,
            time,
            track.identity,
            track.firstTime,
            track.firstFrame,
            track.lastSeenFrame,
            track.unseen,
            track.thumbnail()));
  }
}
