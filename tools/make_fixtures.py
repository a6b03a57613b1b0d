"""Write the small ONNX test fixtures of Tests/Fixtures/onnx/ (documented in its README.md).

Offline data tool; needs only the `onnx` and `numpy` packages (the venv of tools/export_models.py
works):  tools/.venv/bin/python tools/make_fixtures.py

Deterministic: running it again rewrites identical files. Valid fixtures get every intermediate shape
from onnx shape inference (strict mode) and pass onnx.checker where the checker accepts them.
"""

import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Tests", "Fixtures", "onnx")
OPSET = 17
F = TensorProto.FLOAT
RNG = np.random.default_rng(0)


def weight(name, *dims, data=True):
    """A float initializer; with data=False only dims and data_type (a weightless initializer)."""
    if data:
        return numpy_helper.from_array(RNG.standard_normal(dims).astype(np.float32) * 0.1, name)
    t = TensorProto(name=name, data_type=F)
    t.dims.extend(dims)
    return t


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(nodes, inputs, outputs, initializers=(), name="fixture", infer=True, check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="cosma tools/make_fixtures.py")
    m.ir_version = 8
    if infer:
        m = shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
    if check:
        onnx.checker.check_model(m)
    return m


def tensor(name, *dims, elem=F):
    return helper.make_tensor_value_info(name, elem, list(dims))


def save(m, filename):
    path = os.path.join(OUT, filename)
    onnx.save(m, path)
    return path


def conv(x, w, y, b=None, pads=1, name=None, group=1):
    inputs = [x, w] + ([b] if b else [])
    return helper.make_node("Conv", inputs, [y], name=name or y, kernel_shape=[3, 3], pads=[pads] * 4,
                            group=group)


def main():
    os.makedirs(OUT, exist_ok=True)
    written = []

    # 1. Multi-output operators: Split (two outputs, consumed separately) and TopK (values + indices).
    m = model(
        [conv("x", "w", "c", "b"),
         helper.make_node("Split", ["c", "split"], ["s0", "s1"], name="split", axis=1),
         helper.make_node("Relu", ["s0"], ["r0"], name="relu0"),
         helper.make_node("Sigmoid", ["s1"], ["r1"], name="sigmoid1"),
         helper.make_node("Concat", ["r0", "r1"], ["y"], name="concat", axis=1)],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 8, 8, 8)],
        [weight("w", 8, 4, 3, 3), weight("b", 8), ints("split", [3, 5])], name="multi_output_split")
    written.append(save(m, "multi_output_split.onnx"))

    m = model(
        [helper.make_node("Flatten", ["x"], ["f"], name="flatten", axis=1),
         helper.make_node("Gemm", ["f", "w", "b"], ["logits"], name="gemm", transB=1),
         helper.make_node("TopK", ["logits", "k"], ["values", "indices"], name="topk", axis=1)],
        [tensor("x", 1, 4, 4, 4)], [tensor("values", 1, 5), tensor("indices", 1, 5, elem=TensorProto.INT64)],
        [weight("w", 10, 64), weight("b", 10), ints("k", [5])], name="multi_output_topk")
    written.append(save(m, "multi_output_topk.onnx"))

    # 2. Constant nodes: the convolution weight and an added scalar come from Constant nodes.
    m = model(
        [helper.make_node("Constant", [], ["w"], name="const_w",
                          value=numpy_helper.from_array(RNG.standard_normal((4, 4, 3, 3)).astype(np.float32), "w")),
         helper.make_node("Constant", [], ["bias"], name="const_bias", value_float=0.5),
         conv("x", "w", "c"),
         helper.make_node("Add", ["c", "bias"], ["y"], name="add")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 8, 8)], name="constant_nodes")
    written.append(save(m, "constant_nodes.onnx"))

    # 3. One weight shared by two convolutions.
    m = model(
        [conv("x", "w_shared", "c1", name="conv1"),
         helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
         conv("r1", "w_shared", "c2", name="conv2"),
         helper.make_node("Add", ["c2", "x"], ["y"], name="add")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 8, 8)], [weight("w_shared", 4, 4, 3, 3)],
        name="shared_weight")
    written.append(save(m, "shared_weight.onnx"))

    # 4. A graph output that is also consumed by another operator.
    m = model(
        [conv("x", "w1", "c1", "b1", name="conv1"),
         helper.make_node("Relu", ["c1"], ["features"], name="relu1"),
         conv("features", "w2", "c2", "b2", name="conv2"),
         helper.make_node("Relu", ["c2"], ["y"], name="relu2")],
        [tensor("x", 1, 4, 8, 8)], [tensor("features", 1, 4, 8, 8), tensor("y", 1, 4, 8, 8)],
        [weight("w1", 4, 4, 3, 3), weight("b1", 4), weight("w2", 4, 4, 3, 3), weight("b2", 4)],
        name="output_also_consumed")
    written.append(save(m, "output_also_consumed.onnx"))

    # 5. Stripped initializers: dims and data_type, no data at all (like models/onnx/*.onnx).
    m = model(
        [conv("x", "w", "c", "b"),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("Flatten", ["r"], ["f"], name="flatten", axis=1),
         helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], name="fc", transB=1)],
        [tensor("x", 1, 3, 8, 8)], [tensor("y", 1, 10)],
        [weight("w", 16, 3, 3, 3, data=False), weight("b", 16, data=False),
         weight("fc_w", 10, 1024, data=False), weight("fc_b", 10, data=False)],
        name="stripped_initializers", check=False)
    written.append(save(m, "stripped_initializers.onnx"))

    # 6. Externally stored initializer data (data_location EXTERNAL); the data file does not exist.
    ext_w = weight("w", 8, 4, 3, 3, data=False)
    ext_w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "weights.bin"), ("offset", "0"), ("length", str(8 * 4 * 3 * 3 * 4))):
        ext_w.external_data.add(key=key, value=value)
    m = model(
        [conv("x", "w", "c", "b"), helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 8, 8, 8)], [ext_w, weight("b", 8)],
        name="external_data", check=False)
    written.append(save(m, "external_data.onnx"))

    # 7. Identity and Dropout nodes (no-ops at inference, to be dropped by the importer); one Dropout
    #    also has its optional mask output (unused).
    m = model(
        [conv("x", "w", "c", "b"),
         helper.make_node("Identity", ["c"], ["i1"], name="identity"),
         helper.make_node("Dropout", ["i1"], ["d1"], name="dropout"),
         helper.make_node("Relu", ["d1"], ["r"], name="relu"),
         helper.make_node("Dropout", ["r", "ratio"], ["d2", "mask"], name="dropout_with_mask"),
         helper.make_node("Identity", ["d2"], ["y"], name="identity_to_output")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 8, 8, 8)],
        [weight("w", 8, 4, 3, 3), weight("b", 8), numpy_helper.from_array(np.array(0.1, np.float32), "ratio")],
        name="identity_dropout")
    written.append(save(m, "identity_dropout.onnx"))

    # 8. Activations after convolutions (fusion candidates): Conv+Relu, Conv+Clip (ReLU6, min/max as
    #    inputs), Conv+Sigmoid, Conv+HardSwish; plus conv5 whose output feeds both a Relu and an Add
    #    (two consumers: the Relu cannot be fused into conv5 without keeping conv5's output).
    m = model(
        [conv("x", "w1", "c1", "b1", name="conv1"),
         helper.make_node("Relu", ["c1"], ["a1"], name="relu"),
         conv("a1", "w2", "c2", "b2", name="conv2"),
         helper.make_node("Clip", ["c2", "clip_min", "clip_max"], ["a2"], name="clip"),
         conv("a2", "w3", "c3", "b3", name="conv3"),
         helper.make_node("Sigmoid", ["c3"], ["a3"], name="sigmoid"),
         conv("a3", "w4", "c4", "b4", name="conv4"),
         helper.make_node("HardSwish", ["c4"], ["a4"], name="hardswish"),
         conv("a4", "w5", "c5", "b5", name="conv5"),
         helper.make_node("Relu", ["c5"], ["a5"], name="relu_of_shared"),
         helper.make_node("Add", ["a5", "c5"], ["y"], name="add")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 8, 8)],
        [w for i in range(1, 6) for w in (weight(f"w{i}", 4, 4, 3, 3), weight(f"b{i}", 4))]
        + [numpy_helper.from_array(np.array(0.0, np.float32), "clip_min"),
           numpy_helper.from_array(np.array(6.0, np.float32), "clip_max")],
        name="conv_activations")
    written.append(save(m, "conv_activations.onnx"))

    # 9. A small valid model whose weights carry real data (raw_data), for comparison.
    m = model(
        [conv("x", "w", "c", "b"), helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [tensor("x", 1, 3, 8, 8)], [tensor("y", 1, 4, 8, 8)], [weight("w", 4, 3, 3, 3), weight("b", 4)],
        name="tiny_conv")
    tiny_path = save(m, "tiny_conv.onnx")
    written.append(tiny_path)

    # --- Broken inputs --------------------------------------------------------------------------
    # 10. Truncated file: the first half of tiny_conv.onnx.
    data = open(tiny_path, "rb").read()
    path = os.path.join(OUT, "broken_truncated.onnx")
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    written.append(path)

    # 11. Not ONNX: seeded random bytes, and a JSON document.
    path = os.path.join(OUT, "broken_random_bytes.onnx")
    with open(path, "wb") as f:
        f.write(np.random.default_rng(1234).integers(0, 256, 512, dtype=np.uint8).tobytes())
    written.append(path)
    path = os.path.join(OUT, "broken_not_onnx.json")
    with open(path, "w") as f:
        json.dump({"model": "resnet50", "note": "this is JSON, not an ONNX protobuf"}, f, indent=1)
        f.write("\n")
    written.append(path)

    # 12. A missing intermediate shape: no value_info for "r" (the output of the Relu).
    m = model(
        [conv("x", "w", "c", "b"), helper.make_node("Relu", ["c"], ["r"], name="relu"),
         conv("r", "w2", "y", "b2", name="conv2")],
        [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 8, 8)],
        [weight("w", 4, 4, 3, 3), weight("b", 4), weight("w2", 4, 4, 3, 3), weight("b2", 4)],
        name="missing_shape")
    kept = [vi for vi in m.graph.value_info if vi.name != "r"]
    del m.graph.value_info[:]
    m.graph.value_info.extend(kept)
    written.append(save(m, "broken_missing_shape.onnx"))

    # 13. A symbolic dimension: batch size "N" on the input (and hence everywhere).
    m = model(
        [conv("x", "w", "c", "b"), helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [tensor("x", "N", 4, 8, 8)], [tensor("y", "N", 4, 8, 8)], [weight("w", 4, 4, 3, 3), weight("b", 4)],
        name="symbolic_dim")
    written.append(save(m, "broken_symbolic_dim.onnx"))

    # 14. An unsupported element type: a string tensor input feeding a string Identity.
    m = model(
        [helper.make_node("Identity", ["words"], ["y"], name="identity_string")],
        [tensor("words", 1, 4, elem=TensorProto.STRING)], [tensor("y", 1, 4, elem=TensorProto.STRING)],
        name="string_tensor")
    written.append(save(m, "broken_string_tensor.onnx"))

    # --- Speed test -------------------------------------------------------------------------------
    # 15. ~1000 operators: 200 residual blocks Conv -> Relu -> Conv -> Add(skip) -> Relu (5 operators
    #     each); every 10th block also adds the output of the block 10 back (a long skip, +1 Add).
    nodes, inits = [], []
    prev = "x"
    outputs_by_block = []
    blocks = 200
    for i in range(blocks):
        nodes.append(conv(prev, f"w{i}a", f"b{i}_c1", f"b{i}a", name=f"block{i}_conv1"))
        nodes.append(helper.make_node("Relu", [f"b{i}_c1"], [f"b{i}_r1"], name=f"block{i}_relu1"))
        nodes.append(conv(f"b{i}_r1", f"w{i}b", f"b{i}_c2", f"b{i}b", name=f"block{i}_conv2"))
        nodes.append(helper.make_node("Add", [f"b{i}_c2", prev], [f"b{i}_sum"], name=f"block{i}_add"))
        out = f"b{i}_out"
        nodes.append(helper.make_node("Relu", [f"b{i}_sum"], [out], name=f"block{i}_relu2"))
        if i % 10 == 9 and i >= 10:
            long_out = f"b{i}_long"
            nodes.append(helper.make_node("Add", [out, outputs_by_block[i - 10]], [long_out], name=f"block{i}_long_add"))
            out = long_out
        outputs_by_block.append(out)
        prev = out
        for suffix in "ab":
            inits.append(weight(f"w{i}{suffix}", 8, 8, 3, 3, data=False))
            inits.append(weight(f"b{i}{suffix}", 8, data=False))
    nodes.append(helper.make_node("Identity", [prev], ["y"], name="output_identity"))
    m = model(nodes, [tensor("x", 1, 8, 16, 16)], [tensor("y", 1, 8, 16, 16)], inits, name="chain_1000",
              check=False)
    written.append(save(m, "chain_1000.onnx"))
    print(f"chain_1000: {len(m.graph.node)} operators")

    for path in written:
        print(f"{os.path.relpath(path, REPO)}  {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
