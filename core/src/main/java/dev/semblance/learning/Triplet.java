package dev.semblance.learning;

/**
 * Indices of an anchor, a positive (same identity) and a negative (another identity) in a batch.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public record Triplet(int anchor, int positive, int negative) {}
