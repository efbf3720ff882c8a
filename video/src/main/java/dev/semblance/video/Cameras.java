package dev.semblance.video;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Several cameras watched in one JVM ({@link FaceWatcher#watchLive(java.util.List,
 * java.util.function.BiConsumer)}): each decodes and tracks on threads of its own, and all share
 * one inference thread that embeds their faces together.
 *
 * <p>Thread-safe: {@link #stop()} and the counters may be called from any thread.
 */
public final class Cameras implements AutoCloseable {
  private final Map<String, FaceWatcher.Live> cameras;
  private final SharedEmbedder embedder;

  Cameras(Map<String, FaceWatcher.Live> cameras, SharedEmbedder embedder) {
    this.cameras = cameras;
    this.embedder = embedder;
  }

  /** Frames dropped so far by all cameras together, because tracking fell behind. */
  public long framesDropped() {
    return cameras.values().stream().mapToLong(FaceWatcher.Live::framesDropped).sum();
  }

  /** Faces per call of the shared embedder so far, on average: how much the cameras share. */
  public double facesPerBatch() {
    return embedder.facesPerBatch();
  }

  /** Stops every camera and the shared embedder; the summary of each camera, by location. */
  public Map<String, FaceWatcher.Summary> stop() {
    Map<String, FaceWatcher.Summary> summaries = new LinkedHashMap<>();
    cameras.forEach((location, live) -> summaries.put(location, live.stop()));
    embedder.close();
    return summaries;
  }

  @Override
  public void close() {
    stop();
  }
}
