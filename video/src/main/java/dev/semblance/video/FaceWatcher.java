package dev.semblance.video;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Box;
import dev.semblance.Detection;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faces in motion, one decision per person: detects faces on every Nth frame (more often while they
 * move fast), follows them between detections (SORT-style tracks: constant-velocity prediction, IoU
 * association, birth after a few hits, death after some frames unseen), embeds only a track's best
 * faces, averages them into one template and identifies the track against the gallery once it has
 * enough evidence — again only when the evidence improves. Events tell who {@linkplain
 * FaceEvent.Appeared appeared}, was {@linkplain FaceEvent.Identified identified} and {@linkplain
 * FaceEvent.Left left}.
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
  private final Encoder encoder;
  private final Gallery gallery;
  private final int detectEvery;
  private final int minHits;
  private final int maxLostFrames;
  private final float minIou;
  private final int keepFaces;
  private final int minEvidence;
  private final int queueFrames;
  private final Duration streamTimeout;
  private final Duration reconnectFirst;
  private final Duration reconnectMax;
  private final FrameObserver observer;

  private FaceWatcher(Builder b) {
    this.encoder = b.encoder;
    this.gallery = b.gallery;
    this.detectEvery = b.detectEvery;
    this.minHits = b.minHits;
    this.maxLostFrames = b.maxLostFrames;
    this.minIou = b.minIou;
    this.keepFaces = b.keepFaces;
    this.minEvidence = b.minEvidence;
    this.queueFrames = b.queueFrames;
    this.streamTimeout = b.streamTimeout;
    this.reconnectFirst = b.reconnectFirst;
    this.reconnectMax = b.reconnectMax;
    this.observer = b.observer;
  }

  /** What the watcher knows after each frame, e.g. to draw an annotated copy of the video. */
  @FunctionalInterface
  public interface FrameObserver {
    /** Called on the tracking thread for every frame tracked, with the followed faces. */
    void frame(VideoFrame frame, List<TrackedFace> faces);
  }

  /**
   * A followed face in one frame.
   *
   * @param box where it was detected in this frame, or where its motion puts it between detections
   * @param identity the track's decision so far; empty when unknown or not yet decided
   * @param decided whether the track has been identified yet
   */
  public record TrackedFace(int track, Box box, Optional<String> identity, boolean decided) {}

  public static Builder builder(Encoder encoder, Gallery gallery) {
    return new Builder(encoder, gallery);
  }

  /**
   * What a watch did and where its time went, for tuning and the speed figures.
   *
   * @param frames frames tracked
   * @param tracks tracks started, including those never confirmed (never reported)
   * @param framesDropped frames decoded but dropped because tracking fell behind (live only)
   * @param reconnects times a live source was opened again after breaking or stalling
   */
  public record Summary(
      long frames,
      long framesDetected,
      long facesEmbedded,
      int tracks,
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
    Watch watch = new Watch(listener);
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
    Live live = new Live(location, new Watch(listener));
    live.start();
    return live;
  }

  /**
   * A running {@link #watchLive}.
   *
   * <p>Thread-safe: {@link #stop()} and the counters may be called from any thread.
   */
  public final class Live implements AutoCloseable {
    private final String location;
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
        try (VideoSource source = VideoSource.open(location, streamTimeout)) {
          backoff = reconnectFirst;
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
            log.warn("{} ended; opening it again in {} ms", location, backoff.toMillis());
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
        log.error("tracking {} failed", location, e);
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

  /** One video's tracks and counters. */
  private final class Watch {
    private final Consumer<FaceEvent> listener;
    private final List<Track> tracks = new ArrayList<>();
    private int nextId = 1;
    private long lastDetected = Long.MIN_VALUE / 2;
    private int interval = detectEvery;
    private VideoFrame last;
    long frames;
    long framesDetected;
    long facesEmbedded;
    long detectNanos;
    long embedNanos;
    long searchNanos;

    Watch(Consumer<FaceEvent> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    void accept(VideoFrame frame) {
      frames++;
      last = frame;
      if (frame.index() - lastDetected >= interval) {
        detectAndIdentify(frame);
      }
      if (observer != null) {
        List<TrackedFace> faces = new ArrayList<>();
        for (Track track : tracks) {
          if (track.confirmed) {
            faces.add(
                new TrackedFace(
                    track.id, track.predict(frame.index()), track.identity, track.identified));
          }
        }
        observer.frame(frame, faces);
      }
    }

    /** A detection frame: follow, collect evidence, decide. Between them, tracks are predicted. */
    private void detectAndIdentify(VideoFrame frame) {
      lastDetected = frame.index();
      framesDetected++;
      long t0 = System.nanoTime();
      List<Detection> detections = encoder.detect(frame.image());
      detectNanos += System.nanoTime() - t0;
      List<Track> matched = associate(frame, detections);
      collectEvidence(frame, detections, matched);
      identify(frame);
      adaptInterval();
    }

    /**
     * Greedy IoU matching, best overlap first; returns the track of each detection, or null for a
     * second box on a followed face.
     */
    private List<Track> associate(VideoFrame frame, List<Detection> detections) {
      List<float[]> pairs = new ArrayList<>(); // iou, track index, detection index
      for (int t = 0; t < tracks.size(); t++) {
        Box predicted = tracks.get(t).predict(frame.index());
        for (int d = 0; d < detections.size(); d++) {
          float iou = predicted.iou(detections.get(d).box());
          if (iou >= minIou) {
            pairs.add(new float[] {iou, t, d});
          }
        }
      }
      pairs.sort(Comparator.comparingDouble((float[] p) -> p[0]).reversed());
      Track[] byDetection = new Track[detections.size()];
      boolean[] trackTaken = new boolean[tracks.size()];
      for (float[] p : pairs) {
        int t = (int) p[1];
        int d = (int) p[2];
        if (!trackTaken[t] && byDetection[d] == null) {
          trackTaken[t] = true;
          byDetection[d] = tracks.get(t);
          tracks.get(t).update(detections.get(d).box(), frame.index(), frame.time());
        }
      }
      Iterator<Track> it = tracks.iterator();
      for (int t = 0; it.hasNext(); t++) {
        Track track = it.next();
        // Counted in frames, not detections: detecting more often must not end tracks sooner.
        boolean lost = !track.confirmed || frame.index() - track.lastSeenFrame > maxLostFrames;
        if (!trackTaken[t] && lost) {
          it.remove();
          end(track, frame);
        }
      }
      for (int d = 0; d < detections.size(); d++) {
        if (byDetection[d] == null && !onAFollowedFace(detections.get(d).box(), frame)) {
          Track born = new Track(nextId++, detections.get(d).box(), frame.index(), frame.time());
          tracks.add(born);
          byDetection[d] = born;
        }
      }
      for (Track track : tracks) {
        if (!track.confirmed && track.hits >= minHits) {
          track.confirmed = true;
          listener.accept(
              new FaceEvent.Appeared(track.id, frame.time(), frame.index(), track.box()));
        }
      }
      return Arrays.asList(byDetection);
    }

    /**
     * Whether a detection left over lies on a face already followed in this frame: a second box the
     * detector gave the same face, not a new person.
     */
    private boolean onAFollowedFace(Box box, VideoFrame frame) {
      for (Track track : tracks) {
        if (track.confirmed && track.lastSeenFrame == frame.index()) {
          Box followed = track.box();
          if (box.center().x() > followed.left()
              && box.center().x() < followed.right()
              && box.center().y() > followed.top()
              && box.center().y() < followed.bottom()) {
            return true;
          }
        }
      }
      return false;
    }

    /** Embeds, in one batch, the faces that would improve their confirmed track's evidence. */
    private void collectEvidence(VideoFrame frame, List<Detection> detections, List<Track> owners) {
      List<Detection> chosen = new ArrayList<>();
      List<Track> chosenOwners = new ArrayList<>();
      for (int d = 0; d < detections.size(); d++) {
        Track owner = owners.get(d);
        Detection det = detections.get(d);
        if (owner != null
            && owner.confirmed
            && owner.lastSeenFrame == frame.index()
            && owner.wants(Track.rankBeforeEmbedding(det.score(), det.box()), keepFaces)) {
          chosen.add(det);
          chosenOwners.add(owner);
        }
      }
      if (chosen.isEmpty()) {
        return;
      }
      long t0 = System.nanoTime();
      List<Face> faces = encoder.encode(frame.image(), chosen);
      embedNanos += System.nanoTime() - t0;
      facesEmbedded += faces.size();
      for (int i = 0; i < faces.size(); i++) {
        Face face = faces.get(i);
        chosenOwners
            .get(i)
            .addEvidence(
                new Track.Evidence(
                    frame.index(),
                    Track.rank(face),
                    face.embedding(),
                    crop(frame.image(), face.box())),
                keepFaces);
      }
    }

    /** Identifies, together, the tracks whose evidence is enough and has improved. */
    private void identify(VideoFrame frame) {
      List<Track> ready = new ArrayList<>();
      List<Embedding> templates = new ArrayList<>();
      for (Track track : tracks) {
        if (track.evidenceChanged && track.evidence.size() >= minEvidence) {
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
     * detections, so that IoU association keeps up; back to every Nth when they slow down.
     */
    private void adaptInterval() {
      int next = detectEvery;
      for (Track track : tracks) {
        float speed = track.speed();
        if (speed > 0) {
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
          nextId - 1,
          framesDropped,
          reconnects,
          decodeNanos,
          detectNanos,
          embedNanos,
          searchNanos);
    }

    void finish() {
      for (Track track : tracks) {
        end(track, last);
      }
      tracks.clear();
    }

    private void end(Track track, VideoFrame frame) {
      if (track.confirmed) {
        listener.accept(
            new FaceEvent.Left(
                track.id,
                frame == null ? track.lastSeenTime : frame.time(),
                track.identity,
                track.firstTime,
                track.firstFrame,
                track.lastSeenFrame,
                track.thumbnail()));
      }
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
    private int maxLostFrames = 10;
    private float minIou = 0.3f;
    private int keepFaces = 5;
    private int minEvidence = 3;
    private int queueFrames = 2;
    private Duration streamTimeout = Duration.ofSeconds(10);
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
    }

    /** Detect on every {@code n}th frame at most (5 by default; 1 = every frame). */
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
     * Frames a followed face may go unseen before it has left (10: two detections at every 5th
     * frame; a second at 10 fps).
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
