#!/usr/bin/env python3
"""Runs an exported ONNX model on CSV rows with onnxruntime, for the export
tests (Tests/TrainerKitTests/Export/ONNXExportTests.swift).

Usage: onnx_run.py MODEL.onnx INPUTS.csv

1. onnx.checker.check_model(model, full_check=True): the schema, each
   operator's signature and shape inference all accept the model.
2. onnxruntime (CPU, one thread, default graph optimizations, as a user
   would run it) feeds every row of INPUTS.csv (numbers only, no header) to
   the graph's one input. Each number is read as a Python float (the
   correctly rounded float64) and cast to the input's element type; for a
   float32 model the tests write numbers exact in float32, so that cast is
   exact and both readers see the same values.
3. Prints one line per row: the outputs, comma-separated, each the repr of
   the value as a Python float, which reads back to the same bits (a float32
   widens to float64 exactly).

A model the checker rejects: its message on stderr and exit status 1.
"""
import sys

import numpy as np
import onnx
import onnxruntime


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: onnx_run.py MODEL.onnx INPUTS.csv")
    model_path, inputs_path = sys.argv[1], sys.argv[2]

    model = onnx.load(model_path)
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:
        sys.exit(f"onnx_run.py: check_model: {error}")

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    (graph_input,) = session.get_inputs()
    dtype = {"tensor(float)": np.float32, "tensor(double)": np.float64}[graph_input.type]

    with open(inputs_path) as file:
        rows = [[float(field) for field in line.split(",")] for line in file if line.strip()]
    inputs = np.array(rows, dtype=np.float64).astype(dtype)

    (outputs,) = session.run(None, {graph_input.name: inputs})
    for row in outputs:
        print(",".join(repr(float(value)) for value in row))


if __name__ == "__main__":
    main()
