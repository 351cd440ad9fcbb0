"""Runs an ONNX model in ONNX Runtime, as a user of `cnnc export` would.

usage: run_onnx.py MODEL.onnx X.npy Y.npy

Checks the model with ONNX's checker (full, with shape inference) first, then
feeds X to its one input and saves its one output.
"""
import sys

import numpy as np
import onnx
import onnxruntime

model_path, input_path, output_path = sys.argv[1:4]
onnx.checker.check_model(onnx.load(model_path), full_check=True)
session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
(model_input,), (model_output,) = session.get_inputs(), session.get_outputs()
(result,) = session.run([model_output.name], {model_input.name: np.load(input_path)})
np.save(output_path, result)
