/// The part of ONNX's schema the export writes: field numbers and enum values
/// from onnx.proto (as installed by the onnx Python package 1.23.2,
/// `syntax = "proto2"`; line numbers below are that file's), and the
/// messages built from them with ``ProtobufWriter``.
///
/// Field numbers are the schema's contract and never change between ONNX
/// versions (removed fields are `reserved`), so these stay valid for any
/// reader of IR version 7 or later.
enum ONNXProto {
    /// `message ModelProto` (line 450).
    enum Model {
        static let irVersion = 1  // optional int64 ir_version = 1;
        static let producerName = 2  // optional string producer_name = 2;
        static let producerVersion = 3  // optional string producer_version = 3;
        static let graph = 7  // optional GraphProto graph = 7;
        static let opsetImport = 8  // repeated OperatorSetIdProto opset_import = 8;
        static let metadataProps = 14  // repeated StringStringEntryProto metadata_props = 14;
    }

    /// `message OperatorSetIdProto` (line 944).
    enum OperatorSetID {
        static let domain = 1  // optional string domain = 1;
        static let version = 2  // optional int64 version = 2;
    }

    /// `message StringStringEntryProto` (line 543).
    enum StringStringEntry {
        static let key = 1  // optional string key = 1;
        static let value = 2  // optional string value = 2;
    }

    /// `message GraphProto` (line 565).
    enum Graph {
        static let node = 1  // repeated NodeProto node = 1;
        static let name = 2  // optional string name = 2;
        static let initializer = 5  // repeated TensorProto initializer = 5;
        static let docString = 10  // optional string doc_string = 10;
        static let input = 11  // repeated ValueInfoProto input = 11;
        static let output = 12  // repeated ValueInfoProto output = 12;
    }

    /// `message NodeProto` (line 224).
    enum Node {
        static let input = 1  // repeated string input = 1;
        static let output = 2  // repeated string output = 2;
        static let name = 3  // optional string name = 3;
        static let opType = 4  // optional string op_type = 4;
        static let attribute = 5  // repeated AttributeProto attribute = 5;
    }

    /// `message AttributeProto` (line 138).
    enum Attribute {
        static let name = 1  // optional string name = 1;
        static let i = 3  // optional int64 i = 3;
        static let type = 20  // optional AttributeType type = 20;
        /// `enum AttributeType`: `INT = 2;` (line 147).
        static let typeInt: Int64 = 2
    }

    /// `message TensorProto` (line 608).
    enum Tensor {
        static let dims = 1  // repeated int64 dims = 1;
        static let dataType = 2  // optional int32 data_type = 2;
        static let name = 8  // optional string name = 8;
        /// `optional bytes raw_data = 9;`: the elements in row-major order,
        /// each "stored in as fixed-width, little endian order" (line 766).
        static let rawData = 9
    }

    /// `enum TensorProto.DataType`, the element types used here.
    enum DataType: Int64 {
        case float = 1  // FLOAT = 1; (line 612)
        case double = 11  // DOUBLE = 11; (line 626)
    }

    /// `message ValueInfoProto` (line 205).
    enum ValueInfo {
        static let name = 1  // optional string name = 1;
        static let type = 2  // optional TypeProto type = 2;
    }

    /// `message TypeProto` (line 854) and its nested `Tensor` (line 856).
    enum TypeInfo {
        static let tensorType = 1  // oneof value { Tensor tensor_type = 1; ... }
        static let elemType = 1  // Tensor: optional int32 elem_type = 1;
        static let shape = 2  // Tensor: optional TensorShapeProto shape = 2;
    }

    /// `message TensorShapeProto` (line 835) and its nested `Dimension`.
    enum Shape {
        static let dim = 1  // repeated Dimension dim = 1;
        static let dimValue = 1  // Dimension: oneof value { int64 dim_value = 1; ...
        static let dimParam = 2  // ... string dim_param = 2; }
    }

    // MARK: - Messages

    /// One dimension of a shape: a size, or a name standing for a size known
    /// only at run time (the batch).
    enum Dimension {
        case value(Int)
        case parameter(String)
    }

    /// A `NodeProto`: `opType(inputs) → outputs`, in the default domain.
    static func node(
        _ opType: String, name: String, inputs: [String], outputs: [String], attributes: [ProtobufWriter] = []
    ) -> ProtobufWriter {
        var node = ProtobufWriter()
        for input in inputs { node.string(Node.input, input) }
        for output in outputs { node.string(Node.output, output) }
        node.string(Node.name, name)
        node.string(Node.opType, opType)
        for attribute in attributes { node.message(Node.attribute, attribute) }
        return node
    }

    /// An `AttributeProto` holding one integer. IR version 2 and later
    /// require `type` to name the field in use.
    static func attribute(_ name: String, _ value: Int64) -> ProtobufWriter {
        var attribute = ProtobufWriter()
        attribute.string(Attribute.name, name)
        attribute.int64(Attribute.i, value)
        attribute.int64(Attribute.type, Attribute.typeInt)
        return attribute
    }

    /// A `TensorProto` of shape `dims` whose elements are `rawData`.
    /// Precondition: `rawData` holds the product of `dims` elements of
    /// `type`, little-endian, row-major.
    static func tensor(_ name: String, dims: [Int], type: DataType, rawData: [UInt8]) -> ProtobufWriter {
        var tensor = ProtobufWriter()
        tensor.packedInt64(Tensor.dims, dims.map(Int64.init))
        tensor.int64(Tensor.dataType, type.rawValue)
        tensor.string(Tensor.name, name)
        tensor.bytes(Tensor.rawData, rawData)
        return tensor
    }

    /// A `ValueInfoProto` for a graph input or output: a tensor of `type`
    /// and `shape`.
    static func valueInfo(_ name: String, type: DataType, shape: [Dimension]) -> ProtobufWriter {
        var info = ProtobufWriter()
        info.string(ValueInfo.name, name)
        info.message(ValueInfo.type) { typeProto in
            typeProto.message(TypeInfo.tensorType) { tensorType in
                tensorType.int64(TypeInfo.elemType, type.rawValue)
                tensorType.message(TypeInfo.shape) { shapeProto in
                    for dimension in shape {
                        shapeProto.message(Shape.dim) { dim in
                            switch dimension {
                            case .value(let size): dim.int64(Shape.dimValue, Int64(size))
                            case .parameter(let name): dim.string(Shape.dimParam, name)
                            }
                        }
                    }
                }
            }
        }
        return info
    }

    /// A `StringStringEntryProto`, one `metadata_props` entry.
    static func entry(_ key: String, _ value: String) -> ProtobufWriter {
        var entry = ProtobufWriter()
        entry.string(StringStringEntry.key, key)
        entry.string(StringStringEntry.value, value)
        return entry
    }

    /// An `OperatorSetIdProto`; the domain `""` is the ONNX operators'.
    static func operatorSet(domain: String, version: Int64) -> ProtobufWriter {
        var operatorSet = ProtobufWriter()
        operatorSet.string(OperatorSetID.domain, domain)
        operatorSet.int64(OperatorSetID.version, version)
        return operatorSet
    }
}
