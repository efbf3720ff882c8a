package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link FaceWatcher} reports about a tracked face: it {@link Appeared}, was {@link
 * Identified} (or re-identified when its evidence improved), and {@link Left}. Every event names
 * its track and its person: a person who leaves (or is hidden for longer than a track waits) and
 * comes back within the re-identification window gets a new track but keeps their person number.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public sealed interface FaceEvent {
  /** The track's number, unique within one watch. */
  int track();

  /**
   * The person's number within one watch, counted in order of first appearance; a face that is
   * someone who left a moment ago (by appearance, not by name) gets that person's number again.
   */
  int person();

  /** When the event happened, in the video's time. */
  Duration time();

  /** A new face has been seen on enough frames to be followed. */
  record Appeared(int track, int person, Duration time, long frame, Box box) implements FaceEvent {}

  /**
   * The track's decision: who it is, or empty for a stranger, at the gallery's threshold.
   *
   * @param similarity the template's similarity to the best-matching identity (named or not)
   * @param evidence the frames whose faces make the template
   * @param thumbnail the best of those faces, cropped
   */
  record Identified(
      int track,
      int person,
      Duration time,
      Optional<String> identity,
      float similarity,
      List<Long> evidence,
      RgbFrame thumbnail)
      implements FaceEvent {
    public Identified {
      evidence = List.copyOf(evidence);
    }
  }

  /**
   * The track ended: the face has not been seen for a while, the shot changed, or the video ended.
   *
   * @param identity the last decision, empty when unknown or never decided
   * @param from when the face was first seen
   * @param firstFrame the frame it was first seen in
   * @param lastFrame the last frame it was seen in
   * @param unseen how long the person was out of view since first appearing: hidden inside this
   *     track, and away between their earlier tracks and this one
   */
  record Left(
      int track,
      int person,
      Duration time,
      Optional<String> identity,
      Duration from,
      long firstFrame,
      long lastFrame,
      Duration unseen,
      RgbFrame thumbnail)
      implements FaceEvent {}
}
