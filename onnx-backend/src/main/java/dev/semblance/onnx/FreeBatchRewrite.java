package dev.semblance.onnx;

import dev.semblance.onnx.ProtoMessage.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lifts the batch size of 1 that PyTorch's ONNX export pins on simple embedders: the graph's input
 * and output get a symbolic first dimension, and the one {@code Reshape} before the output, whose
 * constant shape is {@code [1, -1]} or {@code [1, D]}, becomes {@code [-1, D]}. Graphs of any other
 * shape are left alone. The caller still checks that batched outputs equal single ones before
 * trusting the result.
 */
final class FreeBatchRewrite {
  // ONNX field numbers (onnx.proto).
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int GRAPH_VALUE_INFO = 13;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OP_TYPE = 4;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int VALUE_INFO_NAME = 1;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;
  private static final int INT64 = 7;

  private FreeBatchRewrite() {}

  /**
   * The rewritten model, or empty when the graph is not of the supported shape or the bytes are not
   * a well-formed model (ONNX Runtime then refuses the original with a clear error).
   */
  static Optional<byte[]> apply(byte[] model) {
    try {
      return Optional.ofNullable(rewrite(model));
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static byte[] rewrite(byte[] model) {
    ProtoMessage root = ProtoMessage.parse(model);
    Field graphField = root.first(MODEL_GRAPH);
    if (graphField == null) {
      return null;
    }
    ProtoMessage graph = graphField.message();
    Set<String> initializers =
        graph.all(GRAPH_INITIALIZER).stream()
            .map(f -> f.message().first(TENSOR_NAME))
            .filter(n -> n != null)
            .map(Field::string)
            .collect(Collectors.toSet());
    List<Field> inputs =
        graph.all(GRAPH_INPUT).stream()
            .filter(f -> !initializers.contains(f.message().require(VALUE_INFO_NAME).string()))
            .toList();
    List<Field> outputs = graph.all(GRAPH_OUTPUT);
    List<Field> reshapes =
        graph.all(GRAPH_NODE).stream()
            .filter(f -> "Reshape".equals(f.message().require(NODE_OP_TYPE).string()))
            .toList();
    if (inputs.size() != 1
        || outputs.size() != 1
        || reshapes.size() != 1
        || !graph.all(GRAPH_VALUE_INFO).isEmpty()) {
      return null;
    }
    long[] outShape = dims(outputs.get(0));
    if (outShape.length != 2 || outShape[0] != 1 || outShape[1] <= 0) {
      return null;
    }
    List<Field> reshapeInputs = reshapes.get(0).message().all(NODE_INPUT);
    if (reshapeInputs.size() != 2) {
      return null;
    }
    String shapeName = reshapeInputs.get(1).string();
    Field shapeInit =
        graph.all(GRAPH_INITIALIZER).stream()
            .filter(f -> shapeName.equals(f.message().require(TENSOR_NAME).string()))
            .findFirst()
            .orElse(null);
    if (shapeInit == null || !freeReshape(shapeInit, outShape[1])) {
      return null;
    }
    if (!freeFirstDim(inputs.get(0)) || !freeFirstDim(outputs.get(0))) {
      return null;
    }
    graphField.bytes = graph.toByteArray();
    return root.toByteArray();
  }

  /** Rewrites a constant {@code [1, -1]} or {@code [1, width]} into {@code [-1, width]}. */
  private static boolean freeReshape(Field initializer, long width) {
    ProtoMessage tensor = initializer.message();
    Field type = tensor.first(TENSOR_DATA_TYPE);
    Field raw = tensor.first(TENSOR_RAW_DATA);
    if (type == null
        || type.varint() != INT64
        || raw == null
        || raw.bytes().length != 16
        || tensor.first(TENSOR_INT64_DATA) != null) {
      return false;
    }
    ByteBuffer values = ByteBuffer.wrap(raw.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    long first = values.getLong(0);
    long second = values.getLong(8);
    if (first != 1 || (second != -1 && second != width)) {
      return false;
    }
    values.putLong(0, -1).putLong(8, width);
    initializer.bytes = tensor.toByteArray();
    return true;
  }

  private static long[] dims(Field valueInfo) {
    ProtoMessage shape = shapeOf(valueInfo.message());
    if (shape == null) {
      return new long[0];
    }
    return shape.all(SHAPE_DIM).stream()
        .mapToLong(
            d -> {
              Field v = d.message().first(DIM_VALUE);
              return v == null ? -1 : v.varint();
            })
        .toArray();
  }

  /** Replaces a first dimension of 1 with the symbolic dimension {@code batch}. */
  private static boolean freeFirstDim(Field valueInfoField) {
    ProtoMessage valueInfo = valueInfoField.message();
    Field typeField = valueInfo.first(VALUE_INFO_TYPE);
    if (typeField == null) {
      return false;
    }
    ProtoMessage type = typeField.message();
    Field tensorTypeField = type.first(TYPE_TENSOR);
    if (tensorTypeField == null) {
      return false;
    }
    ProtoMessage tensorType = tensorTypeField.message();
    Field shapeField = tensorType.first(TENSOR_TYPE_SHAPE);
    if (shapeField == null) {
      return false;
    }
    ProtoMessage shape = shapeField.message();
    Field firstDim = shape.first(SHAPE_DIM);
    if (firstDim == null) {
      return false;
    }
    ProtoMessage dim = firstDim.message();
    Field value = dim.first(DIM_VALUE);
    if (value == null || value.varint() != 1) {
      return false;
    }
    dim.fields.remove(value);
    Field param = new Field(DIM_PARAM, ProtoMessage.BYTES);
    param.bytes = "batch".getBytes(StandardCharsets.UTF_8);
    dim.fields.add(param);
    firstDim.bytes = dim.toByteArray();
    shapeField.bytes = shape.toByteArray();
    tensorTypeField.bytes = tensorType.toByteArray();
    typeField.bytes = type.toByteArray();
    valueInfoField.bytes = valueInfo.toByteArray();
    return true;
  }

  private static ProtoMessage shapeOf(ProtoMessage valueInfo) {
    Field type = valueInfo.first(VALUE_INFO_TYPE);
    if (type == null) {
      return null;
    }
    Field tensorType = type.message().first(TYPE_TENSOR);
    if (tensorType == null) {
      return null;
    }
    Field shape = tensorType.message().first(TENSOR_TYPE_SHAPE);
    return shape == null ? null : shape.message();
  }
}
