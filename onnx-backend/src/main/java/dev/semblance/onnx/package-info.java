/**
 * The ONNX Runtime inference backend and the bundled models, found by the core through {@link
 * dev.semblance.spi.InferenceBackend}. Applications only put this module on the class or module
 * path; no type here is API, and all of it may change without notice.
 */
package dev.semblance.onnx;
