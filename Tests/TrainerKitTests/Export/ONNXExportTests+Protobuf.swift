import Foundation
import Testing
@testable import TrainerKit

extension ONNXExportTests {
    /// ``ProtobufWriter`` against bytes from outside this code: the worked
    /// examples of https://protobuf.dev/programming-guides/encoding/ (quoted
    /// with each test), IEEE 754 bit patterns, and the onnx package's own
    /// decoder for nested messages.
    @Suite struct Protobuf {
        func bytes(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
            var writer = ProtobufWriter()
            body(&writer)
            return writer.encoded
        }

        /// "300 ... `ac 02`" and "1 ... `01`" (Base 128 Varints); the
        /// largest varint is ten bytes, nine 0xff then 0x01 (64 bits in
        /// 7-bit groups: 9 × 7 = 63 ones, then the last bit).
        @Test func varints() {
            #expect(bytes { $0.appendVarint(300) } == [0xac, 0x02])
            #expect(bytes { $0.appendVarint(1) } == [0x01])
            #expect(bytes { $0.appendVarint(0) } == [0x00])
            #expect(bytes { $0.appendVarint(127) } == [0x7f])
            #expect(bytes { $0.appendVarint(128) } == [0x80, 0x01])
            #expect(bytes { $0.appendVarint(UInt64.max) } == [UInt8](repeating: 0xff, count: 9) + [0x01])
        }

        /// "message Test1 { optional int32 a = 1; } ... a = 150 ...
        /// `08 96 01`": key (1 << 3) | 0 = 08, then varint 150.
        @Test func varintField() {
            #expect(bytes { $0.int64(1, 150) } == [0x08, 0x96, 0x01])
        }

        /// "If you use int32 or int64 as the type for a negative number, the
        /// resulting varint is always ten bytes long": -2 is the 64-bit two's
        /// complement 0xffff_ffff_ffff_fffe, whose low 7 bits 0x7e give `fe`,
        /// the next 56 bits eight `ff`, the top bit `01`.
        @Test func negativeInt64() {
            #expect(bytes { $0.int64(1, -2) } == [0x08, 0xfe] + [UInt8](repeating: 0xff, count: 8) + [0x01])
        }

        /// "message Test2 { optional string b = 2; } ... "testing" ...
        /// `12 07 74 65 73 74 69 6e 67`": key (2 << 3) | 2 = 12, length 7, UTF-8.
        @Test func stringField() {
            #expect(bytes { $0.string(2, "testing") } == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67])
        }

        /// "message Test3 { optional Test1 c = 3; } ... `1a 03 08 96 01`":
        /// key (3 << 3) | 2 = 1a, length 3, then Test1's bytes.
        @Test func nestedMessage() {
            #expect(bytes { $0.message(3) { $0.int64(1, 150) } } == [0x1a, 0x03, 0x08, 0x96, 0x01])
        }

        /// The docs' packed example, 3, 270 and 86942 in one record: payload
        /// `03 8e 02 9e a7 05`, 6 bytes; as field 6 the key is (6 << 3) | 2 =
        /// `32`. An empty repeated field writes no record at all.
        @Test func packedRepeated() {
            #expect(bytes { $0.packedInt64(6, [3, 270, 86942]) } == [0x32, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05])
            #expect(bytes { $0.packedInt64(6, []) } == [])
        }

        /// I32 and I64 records: key (n << 3) | 5 or | 1, then the bits
        /// little-endian. 1.0f is 0x3f800000 and 1.0 is 0x3ff0000000000000
        /// (IEEE 754: sign 0, biased exponent 127 or 1023, mantissa 0).
        @Test func fixedWidthFields() {
            #expect(bytes { $0.fixed32(1, 0x0403_0201) } == [0x0d, 0x01, 0x02, 0x03, 0x04])
            #expect(bytes { $0.fixed64(1, 0x0807_0605_0403_0201) } == [0x09, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
            #expect(bytes { $0.float(2, 1) } == [0x15, 0x00, 0x00, 0x80, 0x3f])
            #expect(bytes { $0.double(2, 1) } == [0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f])
        }

        /// A field number past 15 takes a two-byte key: AttributeProto.type
        /// is field 20, key (20 << 3) | 0 = 160 = `a0 01`.
        @Test func twoByteKey() {
            #expect(bytes { $0.int64(20, 2) } == [0xa0, 0x01, 0x02])
        }

        /// Nested four deep (ValueInfoProto > TypeProto > Tensor >
        /// TensorShapeProto > Dimension) and a packed field (TensorProto.dims),
        /// decoded by the onnx package (Tests/Export/onnx_text.py) and printed
        /// in protobuf's text format: the expected text is what onnx.proto's
        /// field names and the values written say it must be.
        @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason))
        func nestedMessagesDecodeWithOnnx() throws {
            let directory = TemporaryDirectory()
            let valueInfo = ONNXProto.valueInfo("input", type: .float, shape: [.parameter("N"), .value(784)])
            let decoded = try TestPython.run("onnx_text.py", ["ValueInfoProto", directory.write("v.pb", bytes: valueInfo.encoded)])
            #expect(decoded.code == 0, "\(decoded.stderr)")
            #expect(
                decoded.stdout == """
                    name: "input"
                    type {
                      tensor_type {
                        elem_type: 1
                        shape {
                          dim {
                            dim_param: "N"
                          }
                          dim {
                            dim_value: 784
                          }
                        }
                      }
                    }

                    """)

            // raw_data: 1.0 and -2.0 as doubles, little-endian.
            let raw: [UInt8] = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0]
            let tensor = ONNXProto.tensor("b0", dims: [1, 2], type: .double, rawData: raw)
            let tensorText = try TestPython.run("onnx_text.py", ["TensorProto", directory.write("t.pb", bytes: tensor.encoded)])
            #expect(tensorText.code == 0, "\(tensorText.stderr)")
            #expect(
                tensorText.stdout == """
                    dims: 1
                    dims: 2
                    data_type: 11
                    name: "b0"
                    raw_data: "\\000\\000\\000\\000\\000\\000\\360?\\000\\000\\000\\000\\000\\000\\000\\300"

                    """)
        }
    }
}
