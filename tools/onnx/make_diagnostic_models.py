#!/usr/bin/python3
"""Writes the small ONNX files the golden diagnostics import (tests/golden/diagnostics/onnx/).

Each is a few hundred bytes, made with onnx.helper so every defect is exactly
the one its golden case is about. Run by Debian's /usr/bin/python3 (python3-onnx);
the files are committed, so the tests need no Python.
Usage: make_diagnostic_models.py OUT_DIR
"""

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def tensor(name, shape, seed=0):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def model(nodes, inits, out_shape=("N", 1000), in_channels=3):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", in_channels, 8, 8])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, list(out_shape))],
        initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                             producer_name="make_diagnostic_models")


def tiny_rgb():
    """Conv, norm, ReLU, pooling, a 1000-class head: imports cleanly."""
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "bn.weight", "bn.bias", "bn.mean", "bn.var"],
                         ["b"], name="bn"),
        helper.make_node("Relu", ["b"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="fc", transB=1),
    ]
    inits = [tensor("conv.weight", (4, 3, 3, 3)), tensor("conv.bias", (4,)),
             numpy_helper.from_array(np.ones(4, np.float32), "bn.weight"),
             numpy_helper.from_array(np.zeros(4, np.float32), "bn.bias"),
             numpy_helper.from_array(np.zeros(4, np.float32), "bn.mean"),
             numpy_helper.from_array(np.ones(4, np.float32), "bn.var"),
             tensor("fc.weight", (1000, 4)), tensor("fc.bias", (1000,))]
    return model(nodes, inits)


def unsupported_op():
    """A local response norm, which FiveR does not import."""
    nodes = [
        helper.make_node("Conv", ["input", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
        helper.make_node("LRN", ["c"], ["output"], name="/features/lrn/LRN", size=3),
    ]
    return model(nodes, [tensor("w", (4, 3, 3, 3))], ("N", 4, 6, 6))


def computed_weight():
    """A convolution whose weight is computed from the data instead of stored."""
    nodes = [
        helper.make_node("Relu", ["input"], ["x"], name="relu"),
        helper.make_node("Conv", ["x", "x"], ["output"], name="/conv/Conv", kernel_shape=[3, 3]),
    ]
    return model(nodes, [], ("N", 3, 6, 6))


def dynamic_ratio():
    """A dropout whose ratio is computed from the data."""
    nodes = [
        helper.make_node("Relu", ["input"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
        helper.make_node("Dropout", ["r", "p"], ["output"], name="/drop/Dropout"),
    ]
    return model(nodes, [], ("N", 3, 8, 8))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, make in [("tiny_rgb", tiny_rgb), ("unsupported_op", unsupported_op),
                       ("computed_weight", computed_weight), ("dynamic_ratio", dynamic_ratio)]:
        onnx.save(make(), str(out / f"{name}.onnx"))
    good = (out / "tiny_rgb.onnx").read_bytes()
    (out / "truncated.onnx").write_bytes(good[: len(good) // 2])


if __name__ == "__main__":
    main()
