/**
 * Measuring a face recogniser as biometrics does: verification scores ({@link
 * dev.semblance.evaluation.Scores}: ROC, DET, EER, TAR at FAR), the LFW k-fold protocol ({@link
 * dev.semblance.evaluation.CrossValidation}), and open-set identification in NIST FRVT terms
 * ({@link dev.semblance.evaluation.OpenSetScores}: the search protocol, CMC, FNIR at FPIR).
 *
 * <p><b>Stability.</b> Public and supported, as {@link dev.semblance}; figures in {@code docs/} are
 * computed with these classes.
 */
package dev.semblance.evaluation;
