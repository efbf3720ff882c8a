/**
 * CUDA gallery search, found by the core through {@link dev.semblance.spi.SearchAccelerator} and
 * chosen with {@link dev.semblance.GalleryOptions#acceleration()}. Applications only put this
 * module on the path; no type here is API, and all of it may change without notice.
 */
package dev.semblance.cuda;
