package dev.semblance.internal.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gallery's open-set threshold: a fixed similarity, or the one a target false positive
 * identification rate (FPIR) needs at the gallery's current number of templates, from a {@link
 * Calibration}. Saved galleries record the target; only the bundled calibration can be found again
 * when one is read back, so other targets fall back to the saved threshold.
 *
 * <p>Thread safety: safe for concurrent use; a change is seen whole by every later reader.
 */
public final class ThresholdPolicy {
  private static final Logger log = LoggerFactory.getLogger(ThresholdPolicy.class);

  private final String embedderId;
  private volatile Setting setting;

  private record Setting(float fixed, Calibration calibration, double fpir, AtomicBoolean warned) {}

  /**
   * The policy of a new gallery: {@code defaultFpir} under the bundled calibration when it is the
   * embedder's, else the fixed {@code defaultThreshold}.
   */
  public ThresholdPolicy(String embedderId, float defaultThreshold, double defaultFpir) {
    this.embedderId = embedderId;
    setFixed(defaultThreshold);
    bundledCalibration().ifPresent(c -> setTarget(c, defaultFpir));
  }

  /** The bundled calibration, if it was measured for this gallery's embedder. */
  public Optional<Calibration> bundledCalibration() {
    Calibration bundled = Calibration.bundled();
    return bundled.embedderId().equals(embedderId) ? Optional.of(bundled) : Optional.empty();
  }

  /**
   * Fixes the threshold.
   *
   * @throws IllegalArgumentException if {@code threshold} is not in [-1, 1]
   */
  public void setFixed(float threshold) {
    checkArgument(
        threshold >= -1f && threshold <= 1f,
        "similarity threshold must be in [-1, 1]: %s",
        threshold);
    setting = new Setting(threshold, null, Double.NaN, null);
  }

  /**
   * Follows a target FPIR under {@code calibration}.
   *
   * @throws IllegalArgumentException if the calibration is for another embedder, or {@code fpir} is
   *     not in (0, 1)
   */
  public void setTarget(Calibration calibration, double fpir) {
    checkArgument(
        calibration.embedderId().equals(embedderId),
        "calibration is for embedder %s, this gallery holds templates of %s",
        calibration.embedderId(),
        embedderId);
    checkArgument(fpir > 0 && fpir < 1, "target FPIR must be in (0, 1): %s", fpir);
    setting = new Setting(Float.NaN, calibration, fpir, new AtomicBoolean());
  }

  /**
   * Applies settings read back from a file: the target FPIR under the bundled calibration when one
   * was saved and that calibration is this embedder's, else the saved threshold.
   *
   * @return false when a target was saved but cannot be followed
   */
  public boolean restore(float threshold, double targetFpir) {
    Optional<Calibration> bundled = bundledCalibration();
    if (!Double.isNaN(targetFpir) && bundled.isPresent()) {
      setTarget(bundled.get(), targetFpir);
      return true;
    }
    setFixed(threshold);
    return Double.isNaN(targetFpir);
  }

  /** The target FPIR, or NaN for a fixed threshold. */
  public double targetFpir() {
    return setting.fpir();
  }

  /** The threshold at {@code templates} templates. */
  public float threshold(long templates) {
    Setting s = setting;
    if (s.calibration() == null) {
      return s.fixed();
    }
    long comparisons = Math.max(1, templates);
    double fmr = Calibration.fmrForFpir(s.fpir(), comparisons);
    if (fmr < s.calibration().minimumFar()) {
      if (!s.warned().getAndSet(true)) {
        log.warn(
            "a false positive identification rate of {} over {} templates needs a false match "
                + "rate of {}, below what the calibration measured ({}); using its strictest threshold",
            s.fpir(),
            comparisons,
            fmr,
            s.calibration().minimumFar());
      }
      return (float) s.calibration().strictestThreshold();
    }
    return (float) s.calibration().thresholdForFar(fmr);
  }
}
