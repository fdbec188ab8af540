#!/usr/bin/env python3
"""Decodes a protobuf message with the onnx package's generated classes and
prints it in protobuf text format, for the export tests: an independent
reading of the bytes our own encoder wrote
(Sources/TrainerKit/Export/Protobuf.swift).

Usage: onnx_text.py MESSAGE FILE

MESSAGE names a message of onnx.proto (ModelProto, TensorProto,
ValueInfoProto, ...). Fields the schema does not know (a wrong field number)
are printed too, by number, so they cannot pass unseen; bytes left over or
a wrong wire type make the parse fail (exit status 1).

In a ModelProto, each initializer's raw_data is shown as its values, in
float_data or double_data (onnx.numpy_helper reads raw_data as the ONNX
spec says: little-endian IEEE 754), so that the text is readable.
"""
import sys

import onnx
from google.protobuf import text_format
from onnx import numpy_helper


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: onnx_text.py MESSAGE FILE")
    message = getattr(onnx, sys.argv[1])()
    with open(sys.argv[2], "rb") as file:
        data = file.read()
    message.ParseFromString(data)
    if isinstance(message, onnx.ModelProto):
        for tensor in message.graph.initializer:
            if tensor.HasField("raw_data"):
                values = numpy_helper.to_array(tensor).flatten().tolist()
                tensor.ClearField("raw_data")
                if tensor.data_type == onnx.TensorProto.FLOAT:
                    tensor.float_data.extend(values)
                else:
                    tensor.double_data.extend(values)
    sys.stdout.write(text_format.MessageToString(message, print_unknown_fields=True))


if __name__ == "__main__":
    main()
