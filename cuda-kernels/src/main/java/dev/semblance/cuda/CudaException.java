package dev.semblance.cuda;

import dev.semblance.SemblanceException;

/**
 * A CUDA driver call failed. The message names the call and the CUDA error, e.g. {@code
 * "cuMemAlloc(2147483648 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"}.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class CudaException extends SemblanceException {
  private final String errorName;

  CudaException(String call, String errorName, String description) {
    super(call + " failed: " + errorName + " (" + description + ")");
    this.errorName = errorName;
  }

  /** The CUDA error's name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
  public String errorName() {
    return errorName;
  }
}
