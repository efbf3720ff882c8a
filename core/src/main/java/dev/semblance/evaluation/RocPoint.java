package dev.semblance.evaluation;

/**
 * One point of a ROC (or DET) curve.
 *
 * @param threshold the similarity threshold (±infinity at the ends)
 * @param far false accept rate at the threshold
 * @param tar true accept rate at the threshold (1 − FRR)
 *     <p><b>Thread safety.</b> Immutable.
 */
public record RocPoint(double threshold, double far, double tar) {}
