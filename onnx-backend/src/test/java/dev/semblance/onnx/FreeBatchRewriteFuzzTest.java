package dev.semblance.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the ONNX batch rewrite, which parses a model's protobuf before ONNX
 * Runtime sees it: any bytes must give a rewritten model or none, never an exception, so that a
 * malformed model reaches ONNX Runtime and is refused there as a {@code ModelException}. The seed
 * {@code graph-as-varint} ({@code {56, 1}}: field 7 with a varint where a message belongs) once
 * threw a NullPointerException. See docs/reliability.md for how to fuzz longer.
 */
class FreeBatchRewriteFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void survivesAnyBytes(byte[] model) {
    Optional<byte[]> rewritten = FreeBatchRewrite.apply(model);
    if (rewritten.isPresent() && rewritten.get().length == 0) {
      throw new AssertionError("rewrote a model into nothing");
    }
  }
}
