/**
 * The service provider interfaces through which other modules plug into the core: an {@link
 * dev.semblance.spi.InferenceBackend} runs models (ONNX Runtime in {@code semblance-onnx-backend}),
 * a {@link dev.semblance.spi.SearchAccelerator} searches galleries on a device (CUDA in {@code
 * semblance-cuda-kernels}); both are found with {@link java.util.ServiceLoader}. A {@link
 * dev.semblance.spi.TemplateStore} keeps a gallery's templates outside the JVM (OpenSearch in
 * {@code semblance-opensearch}); it is passed to {@link dev.semblance.Gallery#over}.
 *
 * <p><b>Stability.</b> For implementers of backends, not for applications; it may change between
 * minor versions, with an entry in {@code CHANGELOG.md}.
 */
package dev.semblance.spi;
