/**
 * The public API: {@link dev.semblance.Encoder} (detect, align, embed), {@link
 * dev.semblance.Verifier} (1:1), {@link dev.semblance.Gallery} (enrolment and open-set 1:N, in
 * memory or in a durable directory), {@link dev.semblance.Calibration} (thresholds by error rate),
 * their options ({@link dev.semblance.GalleryOptions}, {@link dev.semblance.GalleryDirectory}) and
 * value types, and the exceptions, all under {@link dev.semblance.SemblanceException}.
 *
 * <p><b>Stability.</b> Everything public here is the supported API: it changes only with an entry
 * in {@code CHANGELOG.md}. Each type says how it may be used from several threads. The code that
 * does the work lives in {@code dev.semblance.internal.*}, which the module does not export: do not
 * reach into it (on the class path it is visible, but it changes without notice).
 */
package dev.semblance;
