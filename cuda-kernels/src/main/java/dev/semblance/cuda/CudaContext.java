package dev.semblance.cuda;

import static dev.semblance.cuda.Driver.check;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxSynchronize;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetCount;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetName;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuDeviceTotalMem;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuMemAlloc;
import static org.bytedeco.cuda.global.cudart.cuMemFree;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * GPU 0's primary context with the search kernels loaded. Created once per process by {@link
 * CudaAccelerator}, never in a static initialiser; lives as long as the process (the primary
 * context is the driver's, shared with any other CUDA user in the JVM).
 *
 * <p>Thread safety: safe for concurrent use; every call first makes the context current on the
 * calling thread.
 */
final class CudaContext {
  static final String KERNELS = "/dev/semblance/cuda/semblance_kernels.fatbin";

  private final CUctx_st context = new CUctx_st();
  private final String deviceName;
  private final long memoryBytes;
  private final int multiprocessors;
  private final String computeCapability;
  final CUfunc_st scoreFewF32;
  final CUfunc_st scoreFewF16;
  final CUfunc_st scoreTiledF32;
  final CUfunc_st scoreTiledF16;
  final CUfunc_st scoreTensorF32;
  final CUfunc_st scoreTensorF16;
  final CUfunc_st selectTopK;

  private CudaContext(byte[] kernels) {
    check(cuInit(0), "cuInit");
    int[] count = new int[1];
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    if (count[0] == 0) {
      throw new CudaException("cuDeviceGetCount", "CUDA_ERROR_NO_DEVICE", "no CUDA device");
    }
    int[] device = new int[1];
    check(cuDeviceGet(device, 0), "cuDeviceGet");
    byte[] name = new byte[256];
    check(cuDeviceGetName(name, name.length, device[0]), "cuDeviceGetName");
    int length = 0;
    while (length < name.length && name[length] != 0) {
      length++;
    }
    deviceName = new String(name, 0, length, StandardCharsets.UTF_8);
    try (SizeTPointer memory = new SizeTPointer(1)) {
      check(cuDeviceTotalMem(memory, device[0]), "cuDeviceTotalMem");
      memoryBytes = memory.get();
    }
    multiprocessors = attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device[0]);
    computeCapability =
        attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device[0])
            + "."
            + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device[0]);
    check(cuDevicePrimaryCtxRetain(context, device[0]), "cuDevicePrimaryCtxRetain");
    makeCurrent();
    CUmod_st module = new CUmod_st();
    try (BytePointer image = new BytePointer(kernels)) {
      check(cuModuleLoadData(module, image), "cuModuleLoadData(semblance_kernels.fatbin)");
    }
    scoreFewF32 = function(module, "score_few_f32");
    scoreFewF16 = function(module, "score_few_f16");
    scoreTiledF32 = function(module, "score_tiled_f32");
    scoreTiledF16 = function(module, "score_tiled_f16");
    scoreTensorF32 = function(module, "score_tensor_f32");
    scoreTensorF16 = function(module, "score_tensor_f16");
    selectTopK = function(module, "select_top_k");
  }

  /**
   * Loads the CUDA bindings and the kernels and opens GPU 0.
   *
   * @throws CudaException if the driver reports an error or there is no GPU
   * @throws UnsatisfiedLinkError if the CUDA libraries are missing
   * @throws IllegalStateException if this build carries no kernels (nvcc was absent)
   */
  static CudaContext open() {
    byte[] kernels;
    try (InputStream in = CudaContext.class.getResourceAsStream(KERNELS)) {
      if (in == null) {
        throw new IllegalStateException(
            "this build of semblance-cuda-kernels has no GPU kernels "
                + "(nvcc was not found when it was built)");
      }
      kernels = in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + KERNELS + ": " + e, e);
    }
    Loader.load(org.bytedeco.cuda.global.cudart.class);
    return new CudaContext(kernels);
  }

  private static int attribute(int attribute, int device) {
    int[] value = new int[1];
    check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
    return value[0];
  }

  private static CUfunc_st function(CUmod_st module, String name) {
    CUfunc_st function = new CUfunc_st();
    check(cuModuleGetFunction(function, module, name), "cuModuleGetFunction(" + name + ")");
    return function;
  }

  void makeCurrent() {
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  String deviceName() {
    return deviceName;
  }

  long memoryBytes() {
    return memoryBytes;
  }

  int multiprocessors() {
    return multiprocessors;
  }

  String computeCapability() {
    return computeCapability;
  }

  long allocate(long bytes, String what) {
    long[] pointer = new long[1];
    check(
        cuMemAlloc(pointer, Math.max(1, bytes)),
        "cuMemAlloc(" + bytes + " bytes for " + what + ")");
    return pointer[0];
  }

  void free(long pointer) {
    if (pointer != 0) {
      check(cuMemFree(pointer), "cuMemFree");
    }
  }

  void synchronize() {
    check(cuCtxSynchronize(), "cuCtxSynchronize");
  }

  /**
   * Launches {@code function}. Arguments are boxed Java values: {@code Long} for device pointers
   * and 64-bit integers, {@code Integer}, {@code Float}; each is copied into native memory that
   * outlives the call.
   */
  void launch(
      CUfunc_st function,
      String name,
      int gridX,
      int gridY,
      int block,
      int sharedBytes,
      Object... arguments) {
    Pointer[] values = new Pointer[arguments.length];
    try {
      for (int i = 0; i < arguments.length; i++) {
        Object a = arguments[i];
        if (a instanceof Long l) {
          values[i] = new LongPointer(1).put(l);
        } else if (a instanceof Integer n) {
          values[i] = new IntPointer(1).put(n);
        } else if (a instanceof Float f) {
          values[i] = new FloatPointer(1).put(f);
        } else {
          throw new IllegalArgumentException("unsupported kernel argument " + a);
        }
      }
      try (PointerPointer<Pointer> parameters = new PointerPointer<>(values)) {
        check(
            cuLaunchKernel(
                function,
                gridX,
                gridY,
                1,
                block,
                1,
                1,
                sharedBytes,
                null,
                parameters,
                (PointerPointer<?>) null),
            "cuLaunchKernel(" + name + ")");
      }
    } finally {
      for (Pointer p : values) {
        if (p != null) {
          p.close();
        }
      }
    }
  }
}
