/**
 * Heads trained on top of the frozen embedder: {@link dev.semblance.learning.TripletLoss} with
 * {@link dev.semblance.learning.Mining} strategies, the {@link
 * dev.semblance.learning.ProjectionTrainer} of a {@link dev.semblance.ProjectionHead}, and the
 * {@link dev.semblance.learning.LogisticTrainer} of the binary Siamese {@link
 * dev.semblance.LogisticHead}. The heads themselves are models of the public API.
 *
 * <p><b>Stability.</b> Public and supported; the head file format is versioned and checked on load.
 */
package dev.semblance.learning;
