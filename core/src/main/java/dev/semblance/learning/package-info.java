/**
 * Heads trained on top of the frozen embedder: {@link dev.semblance.learning.TripletLoss} with
 * {@link dev.semblance.learning.Mining} strategies, the {@link
 * dev.semblance.learning.ProjectionTrainer} of a {@link dev.semblance.learning.ProjectionHead}, and
 * the binary Siamese {@link dev.semblance.learning.LogisticHead}.
 *
 * <p><b>Stability.</b> Public and supported; the head file format is versioned and checked on load.
 */
package dev.semblance.learning;
