package dev.semblance.video;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Box;
import dev.semblance.Calibration;
import dev.semblance.Detection;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faces in motion, one decision per person: detects faces on every Nth frame (more often while they
 * move fast), follows them between detections with a tracker that uses boxes and appearance and
 * never lets a second person's face into a track, ends every track at a cut, embeds only the faces
 * the tracker needs, averages a track's best faces (ranked by quality, less what their own motion
 * blurred) into one template and identifies it against the gallery once it has enough evidence —
 * again only when the evidence improves, and never on faces blurred by motion. Events tell who
 * {@linkplain FaceEvent.Appeared appeared}, was {@linkplain FaceEvent.Identified identified} and
 * {@linkplain FaceEvent.Left left}.
 *
 * <pre>{@code
 * FaceWatcher watcher = FaceWatcher.builder(encoder, staff).detectEvery(5).build();
 * try (VideoSource video = VideoSource.open("lobby.mp4")) {
 *   watcher.watch(video, event -> System.out.println(event));
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable settings; each {@link #watch} runs on its caller's thread with
 * its own tracks, so one watcher may watch several videos at once.
 */
public final class FaceWatcher {
  private static final Logger log = LoggerFactory.getLogger(FaceWatcher.class);

  /**
   * Detections scored below this only continue tracks (ByteTrack's second pass): the encoder's
   * default detection threshold, so that this pass only sees the weak faces of an encoder built
   * with a lower {@code minDetectionScore}.
   */
  private static final float HIGH_SCORE = 0.65f;

  /**
   * A followed face is embedded again at least this often (frames: 2 s at 25 fps), to check that it
   * is the same person; faces that come near each other are embedded at every detection.
   */
  private static final int CHECK_EVERY = 50;

  // The gates, as false match rates of the bundled calibration, chosen on the training clips of
  // the crossing/occlusion/cut set (docs/video.md): per comparison, since a face is compared with
  // a track's template once per detection.
  private static final double SAME_PERSON_FAR = 1e-3;
  private static final double REIDENTIFY_FAR = 1e-5;

  /** The share of the frame's blocks that change at once in a cut, chosen on the training clips. */
  private static final float CUT_THRESHOLD = 0.6f;

  /**
   * A track is named only on a face that moved less than 13.5% of its width a frame (its stillness
   * at least this): a face blurred by its own motion can look like someone else. Chosen on the
   * training clips, where the one wrong name rested on faces moving 15% of their width a frame and
   * every right name on faces moving 12% or less; "unknown" is the safe answer.
   */
  private static final float MIN_STILLNESS = 0.865f;

  private final Encoder encoder;
  private final Gallery gallery;
  private final int detectEvery;
  private final Tracker.Settings trackerSettings;
  private final float cutThreshold;
  private final int minEvidence;
  private final int queueFrames;
  private final Duration streamTimeout;
  private final Map<String, String> sourceOptions;
  private final Duration reconnectFirst;
  private final Duration reconnectMax;
  private final FrameObserver observer;

  private FaceWatcher(Builder b) {
    this.encoder = b.encoder;
    this.gallery = b.gallery;
    this.detectEvery = b.detectEvery;
    this.trackerSettings =
        new Tracker.Settings(
            b.minHits,
            b.maxLostFrames,
            b.minIou,
            HIGH_SCORE,
            b.samePerson,
            b.reidentify,
            b.reidWindow,
            b.keepFaces,
            CHECK_EVERY);
    this.cutThreshold = b.cutThreshold;
    this.minEvidence = b.minEvidence;
    this.queueFrames = b.queueFrames;
    this.streamTimeout = b.streamTimeout;
    this.sourceOptions = b.sourceOptions;
    this.reconnectFirst = b.reconnectFirst;
    this.reconnectMax = b.reconnectMax;
    this.observer = b.observer;
  }

  /** What the watcher knows after each frame, e.g. to draw an annotated copy of the video. */
  @FunctionalInterface
  public interface FrameObserver {
    /** Called on the tracking thread for every frame tracked, with the followed faces. */
    void frame(VideoFrame frame, List<TrackedFace> faces);

    /**
     * Called each time the source is opened (again, for a live one), before its frames: e.g. to
     * write an annotated copy at the source's own frame rate. On the decoding thread for a live
     * watch; the frames that follow are handed over to the tracking thread after it returns.
     */
    default void opened(VideoSource source) {}
  }

  /**
   * A followed face in one frame.
   *
   * @param box where it was detected in this frame, or where its motion puts it between detections
   * @param identity the track's decision so far; empty when unknown or not yet decided
   * @param decided whether the track has been identified yet
   */
  public record TrackedFace(
      int track, int person, Box box, Optional<String> identity, boolean decided) {}

  public static Builder builder(Encoder encoder, Gallery gallery) {
    return new Builder(encoder, gallery);
  }

  /**
   * What a watch did and where its time went, for tuning and the speed figures.
   *
   * @param frames frames tracked
   * @param tracks tracks started, including those never confirmed (never reported)
   * @param cuts shot changes found (each ended every track)
   * @param framesDropped frames decoded but dropped because tracking fell behind (live only)
   * @param reconnects times a live source was opened again after breaking or stalling
   */
  public record Summary(
      long frames,
      long framesDetected,
      long facesEmbedded,
      int tracks,
      long cuts,
      long framesDropped,
      long reconnects,
      long decodeNanos,
      long detectNanos,
      long embedNanos,
      long searchNanos) {}

  /**
   * Watches {@code source} to its end on this thread, reporting events as they happen; tracks still
   * open at the end are reported as left.
   *
   * @throws VideoException if the source breaks
   */
  public Summary watch(VideoSource source, Consumer<FaceEvent> listener) {
    Watch watch = new Watch(listener, encoder::encode);
    if (observer != null) {
      observer.opened(source);
    }
    long decode = 0;
    while (true) {
      long t0 = System.nanoTime();
      Optional<VideoFrame> frame = source.next();
      decode += System.nanoTime() - t0;
      if (frame.isEmpty()) {
        break;
      }
      watch.accept(frame.get());
    }
    watch.finish();
    return watch.summary(0, 0, decode);
  }

  /**
   * Watches a live source — a camera or a network stream — until {@link Live#stop()}, on two
   * threads: one decodes, and opens the source again with growing back-off (from {@link
   * Builder#reconnect}) when it breaks, stalls or ends; the other tracks and identifies. When
   * tracking falls behind, the oldest waiting frame is dropped (and counted) rather than queued
   * without bound, so the answers stay current and memory stays flat.
   */
  public Live watchLive(String location, Consumer<FaceEvent> listener) {
    return watchLive(location, listener, encoder::encode);
  }

  private Live watchLive(String location, Consumer<FaceEvent> listener, FaceEncoding encoding) {
    Live live = new Live(location, new Watch(listener, encoding));
    live.start();
    return live;
  }

  /**
   * Watches several live sources at once, each as {@link #watchLive(String, Consumer)} does (its
   * own decoding and tracking threads), with one inference thread for all of them: the faces that
   * the cameras need embedded at the same time are embedded in one batch.
   *
   * @param listener told each event with the location of the camera it comes from
   */
  public Cameras watchLive(List<String> locations, BiConsumer<String, FaceEvent> listener) {
    checkArgument(
        locations.stream().distinct().count() == locations.size(),
        "each camera once: %s",
        locations.stream().map(VideoSource::redact).toList());
    SharedEmbedder shared = new SharedEmbedder(encoder, locations.size());
    Map<String, Live> lives = new LinkedHashMap<>();
    for (String location : locations) {
      lives.put(location, watchLive(location, e -> listener.accept(location, e), shared::encode));
    }
    return new Cameras(lives, shared);
  }

  /** Embeds the faces at some detections of a frame: the encoder itself, or a shared batcher. */
  @FunctionalInterface
  interface FaceEncoding {
    List<Face> encode(RgbFrame frame, List<Detection> detections);
  }

  /**
   * A running {@link #watchLive}.
   *
   * <p>Thread-safe: {@link #stop()} and the counters may be called from any thread.
   */
  public final class Live implements AutoCloseable {
    private final String location;

    /** The location as logs may show it: no password. */
    private final String shown;

    private final Watch watch;
    private final ArrayBlockingQueue<VideoFrame> queue = new ArrayBlockingQueue<>(queueFrames);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();
    private final Thread decoder;
    private final Thread tracker;
    private final long start = System.nanoTime();
    private volatile boolean stopping;
    private volatile Summary summary;

    private Live(String location, Watch watch) {
      this.location = location;
      this.shown = VideoSource.redact(location);
      this.watch = watch;
      this.decoder = new Thread(this::decode, "semblance-video-decoder");
      this.tracker = new Thread(this::track, "semblance-video-tracker");
      decoder.setDaemon(true);
      tracker.setDaemon(true);
    }

    private void start() {
      decoder.start();
      tracker.start();
    }

    private void decode() {
      long index = 0;
      Duration backoff = reconnectFirst;
      while (!stopping) {
        try (VideoSource source = VideoSource.open(location, streamTimeout, sourceOptions)) {
          backoff = reconnectFirst;
          if (observer != null) {
            observer.opened(source);
          }
          while (!stopping) {
            long t0 = System.nanoTime();
            Optional<VideoFrame> frame = source.next();
            decodeNanos.addAndGet(System.nanoTime() - t0);
            if (frame.isEmpty()) {
              break;
            }
            // Live time: since the watch began, continuous across reconnections.
            VideoFrame now =
                new VideoFrame(
                    index++, Duration.ofNanos(System.nanoTime() - start), frame.get().image());
            while (!queue.offer(now)) {
              if (queue.poll() != null) {
                dropped.incrementAndGet();
              }
            }
          }
          if (!stopping) {
            log.warn("{} ended; opening it again in {} ms", shown, backoff.toMillis());
          }
        } catch (VideoException e) {
          log.warn("{}; trying again in {} ms", e.getMessage(), backoff.toMillis());
        }
        if (stopping) {
          break;
        }
        reconnects.incrementAndGet();
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
          break;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(reconnectMax) > 0
                ? reconnectMax
                : backoff.multipliedBy(2);
      }
    }

    private void track() {
      try {
        while (!stopping) {
          VideoFrame frame = queue.poll(100, TimeUnit.MILLISECONDS);
          if (frame != null) {
            watch.accept(frame);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.error("tracking {} failed", shown, e);
      } finally {
        watch.finish();
        summary = watch.summary(dropped.get(), reconnects.get(), decodeNanos.get());
      }
    }

    /** Frames dropped so far because tracking fell behind. */
    public long framesDropped() {
      return dropped.get();
    }

    /** Times the source was opened again so far. */
    public long reconnects() {
      return reconnects.get();
    }

    /**
     * Waits until the watch has been stopped (from another thread, e.g. a shutdown hook) and its
     * open tracks reported as left, and returns the summary.
     */
    public Summary await() throws InterruptedException {
      tracker.join();
      return summary;
    }

    /**
     * Stops decoding and tracking, reports the open tracks as left, and returns the summary. Waits
     * for a read in progress, at most the stream timeout. Idempotent.
     */
    public Summary stop() {
      stopping = true;
      try {
        tracker.join();
        decoder.interrupt();
        decoder.join(streamTimeout.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return summary;
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** One video's tracker and counters: the adapter between decoder, encoder, tracker, gallery. */
  private final class Watch {
    private final Consumer<FaceEvent> listener;
    private final FaceEncoding encoding;
    private final Tracker tracker;
    private final ShotChange shots = new ShotChange(cutThreshold);
    // Frames tracked since the last detection, not frame numbers: a live watch that falls behind
    // gets frames far apart, and detecting on each of them would only put it further behind.
    private int sinceDetection = Integer.MAX_VALUE / 2;
    private int interval = detectEvery;
    private VideoFrame last;
    long frames;
    long framesDetected;
    long facesEmbedded;
    long cuts;
    long detectNanos;
    long embedNanos;
    long searchNanos;

    Watch(Consumer<FaceEvent> listener, FaceEncoding encoding) {
      this.listener = Objects.requireNonNull(listener, "listener");
      this.encoding = encoding;
      this.tracker = new Tracker(trackerSettings, listener);
    }

    void accept(VideoFrame frame) {
      frames++;
      last = frame;
      if (shots.isCut(frame.image())) {
        cuts++;
        tracker.cut(frame.time());
        sinceDetection = Integer.MAX_VALUE / 2; // whoever is in the new shot, find them now
      }
      if (++sinceDetection >= interval) {
        detectAndIdentify(frame);
      }
      if (observer != null) {
        List<TrackedFace> faces = new ArrayList<>();
        for (Track track : tracker.tracks()) {
          if (track.confirmed && !track.missed) {
            faces.add(
                new TrackedFace(
                    track.id,
                    track.person,
                    track.predict(frame.index()),
                    track.identity,
                    track.identified));
          }
        }
        observer.frame(frame, faces);
      }
    }

    /** A detection frame: embed where boxes alone are not enough, follow, decide. */
    private void detectAndIdentify(VideoFrame frame) {
      sinceDetection = 0;
      framesDetected++;
      long t0 = System.nanoTime();
      List<Detection> detections = encoder.detect(frame.image());
      detectNanos += System.nanoTime() - t0;
      boolean[] need = tracker.needsEmbedding(frame.index(), detections);
      List<Detection> chosen = new ArrayList<>();
      for (int d = 0; d < detections.size(); d++) {
        if (need[d]) {
          chosen.add(detections.get(d));
        }
      }
      List<Face> faces = List.of();
      if (!chosen.isEmpty()) {
        long t1 = System.nanoTime();
        faces = encoding.encode(frame.image(), chosen);
        embedNanos += System.nanoTime() - t1;
        facesEmbedded += faces.size();
      }
      List<Tracker.Observation> observations = new ArrayList<>();
      for (int d = 0, f = 0; d < detections.size(); d++) {
        Detection det = detections.get(d);
        if (need[d]) {
          Face face = faces.get(f++);
          observations.add(
              new Tracker.Observation(
                  det.box(),
                  det.score(),
                  face.embedding(),
                  Track.quality(face),
                  () -> crop(frame.image(), face.box())));
        } else {
          observations.add(
              new Tracker.Observation(
                  det.box(),
                  det.score(),
                  null,
                  Track.rankBeforeEmbedding(det.score(), det.box()),
                  () -> crop(frame.image(), det.box())));
        }
      }
      tracker.update(frame.index(), frame.time(), observations);
      identify(frame);
      adaptInterval();
    }

    /** Identifies, together, the confirmed tracks whose evidence is enough and has improved. */
    private void identify(VideoFrame frame) {
      List<Track> ready = new ArrayList<>();
      List<Embedding> templates = new ArrayList<>();
      for (Track track : tracker.tracks()) {
        if (track.confirmed
            && track.evidenceChanged
            && track.evidence.size() >= minEvidence
            && track.stillEnough(MIN_STILLNESS)) {
          ready.add(track);
          templates.add(track.template());
          track.evidenceChanged = false;
        }
      }
      if (ready.isEmpty()) {
        return;
      }
      long t0 = System.nanoTime();
      List<Identification> found = gallery.identifyAll(templates, 1);
      searchNanos += System.nanoTime() - t0;
      for (int i = 0; i < ready.size(); i++) {
        Track track = ready.get(i);
        Identification id = found.get(i);
        Optional<String> who = id.match().map(c -> c.identity());
        track.similarity =
            id.candidates().isEmpty() ? Float.NaN : id.candidates().get(0).similarity();
        if (!track.identified || !who.equals(track.identity)) {
          track.identified = true;
          track.identity = who;
          listener.accept(
              new FaceEvent.Identified(
                  track.id,
                  track.person,
                  frame.time(),
                  who,
                  track.similarity,
                  track.evidenceFrames(),
                  track.thumbnail()));
        }
      }
    }

    /**
     * Detects every frame while a face moves more than a quarter of its width between two
     * detections, so that association keeps up; back to every Nth when they slow down.
     */
    private void adaptInterval() {
      int next = detectEvery;
      for (Track track : tracker.tracks()) {
        float speed = track.speed();
        if (speed > 0 && !track.missed) {
          int fits = (int) Math.floor(0.25f * track.box().width() / speed);
          next = Math.min(next, Math.max(1, fits));
        }
      }
      interval = next;
    }

    Summary summary(long framesDropped, long reconnects, long decodeNanos) {
      return new Summary(
          frames,
          framesDetected,
          facesEmbedded,
          tracker.tracksStarted(),
          cuts,
          framesDropped,
          reconnects,
          decodeNanos,
          detectNanos,
          embedNanos,
          searchNanos);
    }

    void finish() {
      tracker.finish(last == null ? Duration.ZERO : last.time());
    }
  }

  /** The face's box with a margin of a quarter, as its own frame. */
  static RgbFrame crop(RgbFrame image, Box box) {
    float margin = 0.25f * Math.max(box.width(), box.height());
    int x0 = Math.max(0, (int) (box.left() - margin));
    int y0 = Math.max(0, (int) (box.top() - margin));
    int x1 = Math.min(image.width(), (int) Math.ceil(box.right() + margin));
    int y1 = Math.min(image.height(), (int) Math.ceil(box.bottom() + margin));
    int w = Math.max(1, x1 - x0);
    int h = Math.max(1, y1 - y0);
    byte[] out = new byte[3 * w * h];
    for (int y = 0; y < h && y0 + y < image.height(); y++) {
      System.arraycopy(image.rgb(), 3 * ((y0 + y) * image.width() + x0), out, 3 * y * w, 3 * w);
    }
    return RgbFrame.of(w, h, out);
  }

  /**
   * A watcher's settings.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Encoder encoder;
    private final Gallery gallery;
    private int detectEvery = 5;
    private int minHits = 2;
    private int maxLostFrames = 25;
    private float minIou = 0.3f;
    private int keepFaces = 5;
    private int minEvidence = 3;
    private float samePerson;
    private float reidentify;
    private Duration reidWindow = Duration.ofSeconds(30);
    private float cutThreshold = CUT_THRESHOLD;
    private int queueFrames = 2;
    private Duration streamTimeout = Duration.ofSeconds(10);
    private Map<String, String> sourceOptions = Map.of();
    private Duration reconnectFirst = Duration.ofSeconds(1);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private FrameObserver observer;

    private Builder(Encoder encoder, Gallery gallery) {
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      this.gallery = Objects.requireNonNull(gallery, "gallery");
      checkArgument(
          gallery.embedderId().equals(encoder.embedderId()),
          "the gallery holds templates of embedder %s, the encoder makes %s",
          gallery.embedderId(),
          encoder.embedderId());
      Calibration bundled = Calibration.bundled();
      if (bundled.embedderId().equals(encoder.embedderId())) {
        samePerson = (float) bundled.thresholdForFar(SAME_PERSON_FAR);
        reidentify = (float) bundled.thresholdForFar(REIDENTIFY_FAR);
      } else {
        // Another embedder: its own scale is unknown here; its gallery's threshold is a start.
        samePerson = gallery.threshold();
        reidentify = Math.min(1f, gallery.threshold() + 0.2f);
      }
    }

    /**
     * Detect on every {@code n}th frame tracked at most (5 by default; 1 = every frame). A live
     * watch that falls behind and drops frames still detects on every {@code n}th frame it tracks,
     * so that detecting does not put it further behind.
     */
    public Builder detectEvery(int n) {
      checkArgument(n >= 1, "detectEvery must be at least 1: %s", n);
      this.detectEvery = n;
      return this;
    }

    /** Detections a new face needs before it is followed and reported (2). */
    public Builder minHits(int hits) {
      checkArgument(hits >= 1, "minHits must be at least 1: %s", hits);
      this.minHits = hits;
      return this;
    }

    /**
     * Frames a followed face may go unseen (hidden behind another, or not detected) before it has
     * left (25: a second at 25 fps). A face found again in time continues its track, but only when
     * its embedding says it is the same person.
     */
    public Builder maxLostFrames(int frames) {
      checkArgument(frames >= 0, "maxLostFrames must not be negative: %s", frames);
      this.maxLostFrames = frames;
      return this;
    }

    /** The overlap (IoU) a detection needs with a track's predicted box to continue it (0.3). */
    public Builder minIou(float iou) {
      checkArgument(iou > 0 && iou < 1, "minIou must be in (0, 1): %s", iou);
      this.minIou = iou;
      return this;
    }

    /**
     * A track's template averages its {@code keep} best faces (5), and is identified once it has
     * {@code min} of them (3).
     */
    public Builder evidence(int keep, int min) {
      checkArgument(
          keep >= 1 && min >= 1 && min <= keep, "need 1 <= min <= keep: %s, %s", min, keep);
      this.keepFaces = keep;
      this.minEvidence = min;
      return this;
    }

    /**
     * The similarity a face needs with a track's template to join the track (by default the bundled
     * calibration's threshold at a false match rate of 1e-3, for the bundled embedder). A face
     * below it is someone else: it starts its own track, and never enters this one's decision.
     */
    public Builder samePerson(float similarity) {
      checkArgument(
          similarity > -1 && similarity < 1, "similarity must be in (-1, 1): %s", similarity);
      this.samePerson = similarity;
      return this;
    }

    /**
     * A new face is the same person as one who left at most {@code within} ago (30 s) when their
     * templates are at least {@code similarity} alike (by default the threshold at a false match
     * rate of 1e-5): it gets a new track but the same {@link FaceEvent#person()}.
     */
    public Builder reidentify(float similarity, Duration within) {
      checkArgument(
          similarity > -1 && similarity <= 1, "similarity must be in (-1, 1]: %s", similarity);
      checkArgument(!within.isNegative(), "the window must not be negative: %s", within);
      this.reidentify = similarity;
      this.reidWindow = within;
      return this;
    }

    /**
     * The share of the frame that must change at once for a cut, which ends every track (0.6; 1
     * still allows cuts that change everything, so use a value above 1 to never cut).
     */
    public Builder cutThreshold(float share) {
      checkArgument(share > 0, "the cut threshold must be positive: %s", share);
      this.cutThreshold = share;
      return this;
    }

    /** Called after every tracked frame with the followed faces (none by default). */
    public Builder onFrame(FrameObserver observer) {
      this.observer = observer;
      return this;
    }

    /** How many decoded frames may wait for tracking before the oldest is dropped (2). */
    public Builder queueFrames(int frames) {
      checkArgument(frames >= 1, "queueFrames must be at least 1: %s", frames);
      this.queueFrames = frames;
      return this;
    }

    /** How long a live stream may send nothing before it counts as broken (10 s). */
    public Builder streamTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
      this.streamTimeout = timeout;
      return this;
    }

    /**
     * FFmpeg options for opening a live source, each time it is opened (none by default): e.g.
     * {@code Map.of("rtsp_transport", "tcp")} for an RTSP camera behind a firewall that drops UDP.
     */
    public Builder sourceOptions(Map<String, String> options) {
      this.sourceOptions = Map.copyOf(options);
      return this;
    }

    /** The first wait before a broken live source is opened again, doubling up to {@code max}. */
    public Builder reconnect(Duration first, Duration max) {
      checkArgument(!first.isNegative() && first.compareTo(max) <= 0, "need 0 <= first <= max");
      this.reconnectFirst = first;
      this.reconnectMax = max;
      return this;
    }

    public FaceWatcher build() {
      return new FaceWatcher(this);
    }
  }
}
