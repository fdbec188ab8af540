/// A protobuf message written field by field in the binary wire format
/// (https://protobuf.dev/programming-guides/encoding/), just enough of it for
/// the ONNX export: no schema, no reflection, no reading.
///
/// The rules it follows, from that page:
/// - A message is a sequence of records, each a key and a value. The key is
///   the varint `(fieldNumber << 3) | wireType`.
/// - Wire types: 0 varint (int32, int64, uint32, uint64, bool, enum), 1 I64
///   (fixed64, double: 8 bytes little-endian), 2 LEN (string, bytes,
///   embedded messages, packed repeated fields: a varint length, then that
///   many bytes), 5 I32 (fixed32, float: 4 bytes little-endian).
/// - A varint holds 7 bits per byte, least significant group first; the high
///   bit of each byte says that another byte follows. 300 is `ac 02`.
/// - int32 and int64 are varints of the two's-complement 64-bit value, so a
///   negative number always takes 10 bytes (sint32/sint64's zigzag is not used
///   by ONNX and is left out).
/// - A repeated scalar field may be packed: one LEN record holding the
///   values' encodings back to back, without keys. Parsers accept packed
///   and unpacked forms alike for any repeated scalar field, proto2 or proto3.
/// - Records may come in any order; writers conventionally use field-number
///   order, as the methods here leave to the caller.
struct ProtobufWriter {
    /// The encoded message so far.
    private(set) var encoded: [UInt8] = []

    /// The low 3 bits of a record's key: how its value is laid out.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    init() {}

    // MARK: - Raw encodings

    /// Appends `value` as a varint: 7 bits per byte, low group first, the
    /// high bit set on every byte but the last (1 to 10 bytes).
    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            encoded.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        encoded.append(UInt8(rest))
    }

    /// Appends a record's key, the varint `(field << 3) | wireType`.
    /// Precondition: `1 <= field <= 536_870_911` (2²⁹ − 1), protobuf's range.
    mutating func appendKey(_ field: Int, _ wireType: WireType) {
        precondition(field >= 1 && field <= 536_870_911, "protobuf field numbers are 1 through 2^29 - 1")
        appendVarint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// Appends `value`'s 4 bytes, least significant first, whatever the
    /// host's byte order.
    mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { encoded.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends `value`'s 8 bytes, least significant first.
    mutating func appendLittleEndian(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { encoded.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    // MARK: - Fields

    /// An int32, int64, uint64 or enum field (wire type 0). A negative value
    /// is the varint of its 64-bit two's complement, 10 bytes, as protobuf
    /// writes int32 and int64 alike.
    mutating func int64(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A fixed32 field (wire type 5): 4 bytes little-endian.
    mutating func fixed32(_ field: Int, _ value: UInt32) {
        appendKey(field, .fixed32)
        appendLittleEndian(value)
    }

    /// A fixed64 field (wire type 1): 8 bytes little-endian.
    mutating func fixed64(_ field: Int, _ value: UInt64) {
        appendKey(field, .fixed64)
        appendLittleEndian(value)
    }

    /// A float field: its IEEE 754 bits as a fixed32.
    mutating func float(_ field: Int, _ value: Float) {
        fixed32(field, value.bitPattern)
    }

    /// A double field: its IEEE 754 bits as a fixed64.
    mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    /// A bytes field (wire type 2): the varint length, then the bytes.
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        encoded.append(contentsOf: value)
    }

    /// A string field: its UTF-8 bytes, as a bytes field.
    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// An embedded message (wire type 2): its encoding, length first.
    mutating func message(_ field: Int, _ value: ProtobufWriter) {
        bytes(field, value.encoded)
    }

    /// An embedded message written by `body` into a fresh writer.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        message(field, nested)
    }

    /// A packed repeated int32/int64 field: one LEN record holding the
    /// values' varints back to back. Nothing is written for no values (an
    /// empty repeated field has no records).
    mutating func packedInt64(_ field: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var payload = ProtobufWriter()
        for value in values { payload.appendVarint(UInt64(bitPattern: value)) }
        bytes(field, payload.encoded)
    }
}
