package dev.semblance;

/**
 * Where a gallery's open-set threshold comes from and what it is expected to give: which estimate
 * set it, the false positive identification rate (FPIR, the share of strangers wrongly named)
 * expected at it with an interval, and whether a target FPIR is held. See {@link
 * Gallery#thresholdReport()}.
 *
 * <p>Thread safety: immutable.
 *
 * @param threshold the similarity a best candidate must reach
 * @param basis what set it
 * @param targetFpir the target, or NaN for a fixed threshold
 * @param expectedFpir the FPIR expected at {@code threshold} with a 90% interval; null when nothing
 *     can estimate it (a fixed threshold of an embedder without a calibration or a self-search)
 * @param targetHeld false when the target needs a stricter threshold than the estimate can vouch
 *     for, or the estimate's interval lies above the target; true for a fixed threshold
 * @param templates the templates the threshold is for
 * @param selfSearches how many leave-one-identity-out searches of the gallery's own templates the
 *     current self-estimate rests on (0 without one), see {@link Gallery#calibrateThreshold()}
 * @param selfSearchTemplates how many templates the gallery held when they ran (0 without one)
 */
public record ThresholdReport(
    float threshold,
    Basis basis,
    double targetFpir,
    Interval expectedFpir,
    boolean targetHeld,
    long templates,
    int selfSearches,
    long selfSearchTemplates) {

  /** What set a threshold. */
  public enum Basis {
    /** {@link Gallery#setThreshold}. */
    FIXED,
    /**
     * A calibration from labelled pairs ({@link Gallery#setTargetFpir}), assuming a stranger's
     * comparisons with the templates are independent: {@code FMR = 1 − (1 − FPIR)^(1/N)}.
     */
    CALIBRATION,
    /**
     * The gallery's own templates searched against the rest of the gallery ({@link
     * Gallery#calibrateThreshold()}): the share of them whose best other identity reaches the
     * threshold is the FPIR at this very gallery.
     */
    SELF_SEARCH
  }
}
