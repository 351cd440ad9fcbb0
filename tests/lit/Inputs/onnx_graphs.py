"""Writes small ONNX graphs for the import tests: `tf-style.onnx`, a valid
graph in the idioms PyTorch's exporter does not use but TensorFlow converters
and other tools do (explicit Pad with its amounts computed from the input's
shape, SAME_UPPER padding, an unfolded batch
norm, MatMul + Add, Squeeze, Reshape, ReduceMean without kept dimensions,
x * HardSigmoid(x), Clip bounds from Constant nodes),
its input `tf-style.npy`; `classifiers.onnx`, weights shared by layers that
scale or transpose them differently; and graphs broken in one way each.

usage: onnx_graphs.py OUTDIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(5)


def tensor(name, shape, dtype=np.float32, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(dtype), name)


def model(nodes, initializers, output_shape=(1, 10), input_shape=(1, 3, 16, 16), inputs=None,
          opset=17):
    graph = helper.make_graph(
        nodes, "g",
        inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(output_shape))],
        initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def tf_style():
    n = helper.make_node
    nodes = [
        # pads = [0, 0, 0, H % 3 - 0, 0, 0, 1, 0] = [0, 0, 0, 1, 0, 0, 1, 0] for H = 16,
        # computed as exporters leave it: from the input's shape.
        n("Shape", ["x"], ["shape_x"]),
        n("Gather", ["shape_x", "two"], ["h"], axis=0),
        n("Cast", ["h"], ["h_float"], to=TensorProto.FLOAT),
        n("Div", ["h_float", "three"], ["thirds"]),
        n("Floor", ["thirds"], ["whole"]),
        n("Mul", ["whole", "three"], ["below"]),
        n("Sub", ["h_float", "below"], ["rest"]),
        n("Cast", ["rest"], ["rest_int"], to=TensorProto.INT64),
        n("Unsqueeze", ["rest_int", "zero_axis"], ["rest_1d"]),
        n("Concat", ["three_zeros", "rest_1d", "zeros_then_one"], ["pads_long"], axis=0),
        n("Slice", ["pads_long", "slice_start", "slice_end"], ["pads"]),
        n("Pad", ["x", "pads"], ["xp"]),
        n("Conv", ["xp", "w1", "b1"], ["c1"], strides=[2, 2]),
        n("BatchNormalization", ["c1", "s1", "o1", "m1", "v1"], ["bn1"], epsilon=1e-3),
        n("Constant", [], ["zero"], value=numpy_helper.from_array(np.array(0, np.float32))),
        n("Constant", [], ["six"], value_float=6.0),
        n("Clip", ["bn1", "zero", "six"], ["r1"]),
        n("Conv", ["r1", "wd", "bd"], ["c2"], group=8, auto_pad="SAME_UPPER"),
        n("HardSigmoid", ["c2"], ["hs"], alpha=1.0 / 6, beta=0.5),
        n("Mul", ["hs", "c2"], ["h2"]),
        n("ReduceMean", ["h2"], ["se0"], axes=[2, 3], keepdims=1),
        n("Conv", ["se0", "wse"], ["se1"]),
        n("Sigmoid", ["se1"], ["gate"]),
        n("Mul", ["h2", "gate"], ["h3"]),
        n("Dropout", ["h3"], ["h4"]),
        n("ReduceMean", ["h4"], ["p"], axes=[2, 3], keepdims=0),
        n("Reshape", ["p", "shape"], ["flat"]),
        n("MatMul", ["flat", "wfc"], ["mm"]),
        n("Add", ["mm", "bfc"], ["y"]),
    ]
    initializers = [
        numpy_helper.from_array(np.array(2, np.int64), "two"),
        numpy_helper.from_array(np.array(3, np.float32), "three"),
        numpy_helper.from_array(np.array([0], np.int64), "zero_axis"),
        numpy_helper.from_array(np.array([0, 0, 0], np.int64), "three_zeros"),
        numpy_helper.from_array(np.array([0, 0, 1, 0, 9], np.int64), "zeros_then_one"),
        numpy_helper.from_array(np.array([0], np.int64), "slice_start"),
        numpy_helper.from_array(np.array([-1], np.int64), "slice_end"),
        tensor("w1", (8, 3, 3, 3)), tensor("b1", (8,), scale=0.1),
        tensor("s1", (8,), scale=0.1), tensor("o1", (8,), scale=0.1),
        tensor("m1", (8,), scale=0.1),
        numpy_helper.from_array(rng.uniform(0.5, 2, 8).astype(np.float32), "v1"),
        tensor("wd", (8, 1, 3, 3)), tensor("bd", (8,), scale=0.1),
        tensor("wse", (8, 8, 1, 1)),
        numpy_helper.from_array(np.array([1, -1], np.int64), "shape"),
        tensor("wfc", (8, 10)), tensor("bfc", (10,), scale=0.1),
    ]
    return model(nodes, initializers)


def classifiers():
    """Weights shared between layers that each scale or transpose them
    differently, and an initializer named as a derived weight would be."""
    n = helper.make_node
    nodes = [
        n("GlobalAveragePool", ["x"], ["pooled"]),
        n("Flatten", ["pooled"], ["f"]),
        n("Gemm", ["f", "W"], ["a"], transB=1, alpha=2.0),
        n("Gemm", ["f", "W"], ["b"], transB=1, alpha=3.0),
        n("MatMul", ["f", "V"], ["c"]),
        n("Gemm", ["f", "V.transposed"], ["d"], transB=1),
        n("Add", ["a", "b"], ["ab"]),
        n("Add", ["c", "d"], ["cd"]),
        n("Add", ["ab", "cd"], ["y"]),
    ]
    return model(nodes, [tensor("W", (10, 3)), tensor("V", (3, 10)), tensor("V.transposed", (10, 3))])


def unpadded_3x3():
    """A 3×3 convolution of 16 channels to 24 without padding on a 31×31 map
    that a first convolution computes: cnnc's Winograd case (codegen/
    Winograd.h) over a 29×29 output, not whole 4×4 tiles, whose last tiles
    read past the input's edge."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        n("Relu", ["c1"], ["r1"]),
        n("Conv", ["r1", "w2", "b2"], ["c2"]),
        n("Relu", ["c2"], ["r2"]),
        n("GlobalAveragePool", ["r2"], ["p"]),
        n("Flatten", ["p"], ["f"]),
        n("Gemm", ["f", "wf", "bf"], ["y"], transB=1),
    ]
    return model(nodes, [tensor("w1", (16, 3, 3, 3)), tensor("b1", (16,)),
                         tensor("w2", (24, 16, 3, 3)), tensor("b2", (24,)),
                         tensor("wf", (10, 24)), tensor("bf", (10,))],
                 input_shape=(1, 3, 31, 31))


def conv_then(node, extra=(), output_shape=(1, 4, 16, 16), conv_attrs=None):
    """A 3→4 channel convolution whose result `c` feeds `node`."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], **(conv_attrs or {})),
             node]
    return model(nodes, [tensor("w", (4, 3, 3, 3))] + list(extra), output_shape)


def broken():
    n = helper.make_node
    yield "unsupported", conv_then(n("Softmax", ["c"], ["y"], name="softmax"))
    yield "grouped", model(
        [n("Conv", ["x", "w"], ["y"], group=2, name="grouped")],
        [tensor("w", (4, 2, 1, 1))], (1, 4, 16, 16), input_shape=(1, 4, 16, 16))
    yield "mul-constant", conv_then(n("Mul", ["c", "m"], ["y"], name="scale"),
                                    [tensor("m", (1, 4, 16, 1))])
    yield "mul-shapes", model(
        [n("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         n("Conv", ["x", "w"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
         n("Mul", ["c", "c2"], ["y"], name="scale")],
        [tensor("w", (4, 3, 3, 3))], (1, 4, 16, 16))
    yield "pad-relu", model([n("Pad", ["x", "pads"], ["p"]), n("Relu", ["p"], ["y"], name="relu")],
                            [numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1],
                                                              np.int64), "pads")],
                            (1, 3, 18, 18))
    yield "clip", conv_then(n("Clip", ["c", "lo", "hi"], ["y"], name="clip"),
                            [numpy_helper.from_array(np.array(-1, np.float32), "lo"),
                             numpy_helper.from_array(np.array(1, np.float32), "hi")])
    yield "undefined-input", conv_then(n("Add", ["c", "nowhere"], ["y"], name="add"))
    yield "two-inputs", model(
        [n("Add", ["x", "x2"], ["y"])], [], (1, 3, 16, 16),
        inputs=[helper.make_tensor_value_info(v, TensorProto.FLOAT, [1, 3, 16, 16])
                for v in ("x", "x2")])
    yield "dilated", conv_then(n("Relu", ["c"], ["y"]), conv_attrs={"dilations": [2, 2],
                                                                    "name": "dilated"})
    external = conv_then(n("Relu", ["c"], ["y"]))
    w = external.graph.initializer[0]
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    entry = w.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    yield "external-data", external
    # Shape arithmetic that cannot be evaluated: an index past the rank.
    yield "fold-error", model(
        [n("Shape", ["x"], ["s"]),
         n("Gather", ["s", "i"], ["y"], name="gather")],
        [numpy_helper.from_array(np.array([7], np.int64), "i")], (1,))
    gemm = model([n("Flatten", ["x"], ["f"]), n("Gemm", ["f", "W"], ["y"], transB=1)],
                 [tensor("W", (10, 768))])
    gemm.graph.node[1].attribute.append(helper.make_attribute("alpha", 2))
    yield "attribute-type", gemm
    yield "redefined", conv_then(n("Constant", [], ["w"], value_float=1.0, name="again"))
    yield "over-limit", conv_then(n("Relu", ["c"], ["y"]), output_shape=(1, 4, 5000, 5000))
    big = conv_then(n("Relu", ["c"], ["y"]))
    big.graph.input[0].type.tensor_type.shape.dim[2].dim_value = 5000
    yield "over-limit", big
    yield "empty-filter", model([n("Conv", ["x", "w"], ["y"], name="empty")],
                                [numpy_helper.from_array(np.zeros((4, 3, 0, 0), np.float32), "w")])
    # Cut its filter's bytes short of its dimensions.
    short = conv_then(n("Relu", ["c"], ["y"]))
    short.graph.initializer[0].raw_data = short.graph.initializer[0].raw_data[:40]
    yield "short-initializer", short


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    good = tf_style()
    onnx.checker.check_model(good, full_check=True)
    onnx.save(good, f"{out}/tf-style.onnx")
    onnx.save(classifiers(), f"{out}/classifiers.onnx")
    np.save(f"{out}/tf-style.npy", rng.standard_normal((1, 3, 16, 16)).astype(np.float32))
    onnx.save(unpadded_3x3(), f"{out}/unpadded-3x3.onnx")
    np.save(f"{out}/unpadded-3x3.npy", rng.standard_normal((1, 3, 31, 31)).astype(np.float32))
    for name, m in broken():
        onnx.save(m, f"{out}/{name}.onnx")
    data = open(f"{out}/tf-style.onnx", "rb").read()
    with open(f"{out}/truncated.onnx", "wb") as f:
        f.write(data[:len(data) // 2])
    with open(f"{out}/not-onnx.onnx", "w") as f:
        f.write("name: efficientnet-b0\n")


if __name__ == "__main__":
    main()
