package dev.semblance.evaluation;

/**
 * The true accept rate at a target false accept rate.
 *
 * @param targetFar the FAR asked for
 * @param threshold the most lenient similarity threshold whose observed FAR is at most the target
 * @param far the FAR observed there
 * @param tar the TAR observed there
 * @param tarLow lower end of the 95% Wilson interval of the TAR
 * @param tarHigh upper end of that interval
 * @param impostors impostor comparisons behind the FAR
 * @param genuines genuine comparisons behind the TAR
 * @param supported whether there are at least {@code 1 / targetFar} impostor comparisons; if not,
 *     the observed FAR is 0 and says little about the target
 *     <p><b>Thread safety.</b> Immutable.
 */
public record TarAtFar(
    double targetFar,
    double threshold,
    double far,
    double tar,
    double tarLow,
    double tarHigh,
    int impostors,
    int genuines,
    boolean supported) {}
