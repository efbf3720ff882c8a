package dev.semblance.internal.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import dev.semblance.Interval;
import dev.semblance.ThresholdReport;
import dev.semblance.ThresholdReport.Basis;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gallery's open-set threshold: a fixed similarity, or the one a target false positive
 * identification rate (FPIR) needs at the gallery's current number of templates, from a {@link
 * Calibration} or, once the gallery has searched its own templates against each other, from that
 * self-estimate. Saved galleries record the target; only the bundled calibration can be found again
 * when one is read back, so other targets fall back to the saved threshold. The self-estimate is
 * not saved: it is searched again.
 *
 * <p>Thread safety: safe for concurrent use; a change is seen whole by every later reader.
 */
public final class ThresholdPolicy {
  private static final Logger log = LoggerFactory.getLogger(ThresholdPolicy.class);

  /** A self-estimate sets the threshold when it holds this many searches over the target. */
  static final int MIN_FALSE_MATCHES = 10;

  private final String embedderId;
  private volatile Setting setting;
  private volatile SelfEstimate self;

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

  /**
   * Adopts a self-estimate: for each of {@code maxima.length} templates searched against the rest
   * of a gallery of {@code templates} templates, the similarity of its best other identity.
   */
  public void useSelfSearch(float[] maxima, long templates) {
    float[] sorted = maxima.clone();
    Arrays.sort(sorted);
    self = new SelfEstimate(sorted, templates);
  }

  /**
   * Whether the self-estimate should be searched again: there is one and the gallery has since
   * grown or shrunk by more than a tenth.
   */
  public boolean selfSearchDue(long templates) {
    SelfEstimate s = self;
    return s != null && Math.abs(templates - s.templates()) > s.templates() / 10;
  }

  /** The threshold at {@code templates} templates. */
  public float threshold(long templates) {
    Setting s = setting;
    if (s.calibration() == null) {
      return s.fixed();
    }
    SelfEstimate estimate = self;
    if (usable(estimate, s.fpir())) {
      return estimate.thresholdFor(s.fpir());
    }
    return calibrated(s, templates);
  }

  /** The threshold at {@code templates} templates, where it comes from and what it should give. */
  public ThresholdReport report(long templates) {
    Setting s = setting;
    SelfEstimate estimate = self;
    int searches = estimate == null ? 0 : estimate.maxima().length;
    long searched = estimate == null ? 0 : estimate.templates();
    if (s.calibration() == null) {
      Interval expected =
          estimate != null
              ? estimate.fpirAt(s.fixed())
              : bundledCalibration().map(c -> fpirAt(c, s.fixed(), templates)).orElse(null);
      return new ThresholdReport(
          s.fixed(), Basis.FIXED, Double.NaN, expected, true, templates, searches, searched);
    }
    if (usable(estimate, s.fpir())) {
      float t = estimate.thresholdFor(s.fpir());
      Interval expected = estimate.fpirAt(t);
      return new ThresholdReport(
          t,
          Basis.SELF_SEARCH,
          s.fpir(),
          expected,
          expected.high() <= s.fpir(),
          templates,
          searches,
          searched);
    }
    float t = calibrated(s, templates);
    Interval expected = fpirAt(s.calibration(), t, templates);
    boolean held = fmr(s, templates) >= s.calibration().minimumFar() && expected.low() <= s.fpir();
    return new ThresholdReport(
        t, Basis.CALIBRATION, s.fpir(), expected, held, templates, searches, searched);
  }

  private static boolean usable(SelfEstimate estimate, double fpir) {
    return estimate != null && estimate.maxima().length * fpir >= MIN_FALSE_MATCHES;
  }

  private static double fmr(Setting s, long templates) {
    return Calibration.fmrForFpir(s.fpir(), Math.max(1, templates));
  }

  private float calibrated(Setting s, long templates) {
    double fmr = fmr(s, templates);
    if (fmr < s.calibration().minimumFar()) {
      if (!s.warned().getAndSet(true)) {
        log.warn(
            "a false positive identification rate of {} over {} templates needs a false match "
                + "rate of {}, below what the calibration vouches for ({}); using its strictest "
                + "threshold, and the gallery's threshold report says the target is not held",
            s.fpir(),
            templates,
            fmr,
            s.calibration().minimumFar());
      }
      return (float) s.calibration().strictestThreshold();
    }
    return (float) s.calibration().thresholdForFar(fmr);
  }

  /** FPIR = 1 − (1 − FAR)^N at each end of the calibration's FAR interval at {@code t}. */
  private static Interval fpirAt(Calibration calibration, double t, long templates) {
    Interval far = calibration.farInterval(t);
    long n = Math.max(1, templates);
    return new Interval(fpir(far.estimate(), n), fpir(far.low(), n), fpir(far.high(), n));
  }

  private static double fpir(double far, long comparisons) {
    return -Math.expm1(comparisons * Math.log1p(-Math.min(far, 1 - 1e-12)));
  }

  /**
   * The best similarity to another identity of each of a sample of the gallery's own templates,
   * ascending, and the gallery's size when they were searched.
   */
  private record SelfEstimate(float[] maxima, long templates) {
    /**
     * The most lenient threshold whose FPIR the searches vouch for: the upper end of the 90%
     * interval of the share reaching it is at most {@code fpir} (chosen on DevTrain over the point
     * estimate, which named 2.5% of strangers for a 1% target at 1k identities; docs/accuracy.md).
     */
    float thresholdFor(double fpir) {
      int m = maxima.length;
      int allowed = (int) Math.floor(fpir * m + 1e-9);
      while (allowed > 0 && Interval.wilson(allowed, m).high() > fpir) {
        allowed--;
      }
      return Math.nextUp(maxima[m - 1 - allowed]);
    }

    Interval fpirAt(float t) {
      int lo = 0; // first maximum reaching t, by bisection of the ascending maxima
      int hi = maxima.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (maxima[mid] < t) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return Interval.wilson(maxima.length - lo, maxima.length);
    }
  }
}
