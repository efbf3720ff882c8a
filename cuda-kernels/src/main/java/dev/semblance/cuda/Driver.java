package dev.semblance.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Checks every CUDA driver result: anything but success becomes a {@link CudaException}. */
final class Driver {
  private Driver() {}

  static void check(int result, String call) {
    if (result != CUDA_SUCCESS) {
      throw new CudaException(call, name(result), description(result));
    }
  }

  static String name(int result) {
    BytePointer name = new BytePointer((Pointer) null);
    return cuGetErrorName(result, name) == CUDA_SUCCESS && !name.isNull()
        ? name.getString()
        : "CUDA error " + result;
  }

  private static String description(int result) {
    BytePointer text = new BytePointer((Pointer) null);
    return cuGetErrorString(result, text) == CUDA_SUCCESS && !text.isNull()
        ? text.getString()
        : "no description";
  }
}
