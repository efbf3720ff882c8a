package dev.semblance.clustering;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import java.util.Objects;

/**
 * One face to cluster: its embedding, an optional quality score and where it came from.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param embedding the face's embedding
 * @param quality any score where higher is better (for example the detector's score), or NaN when
 *     unknown; faces below {@link ClusteringOptions#minQuality()} are left out as noise
 * @param source free text that says where the face is, for example {@code "trip/0042.jpg#1"}
 */
public record FaceItem(Embedding embedding, double quality, String source) {
  public FaceItem {
    Objects.requireNonNull(embedding, "embedding");
    Objects.requireNonNull(source, "source");
    checkArgument(!Double.isInfinite(quality), "quality must be finite or NaN: %s", quality);
  }

  /** A face of unknown quality and source. */
  public static FaceItem of(Embedding embedding) {
    return new FaceItem(embedding, Double.NaN, "");
  }
}
