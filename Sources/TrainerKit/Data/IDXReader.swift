/// Reads the IDX format of the MNIST files: a 4-byte magic number (two zero
/// bytes, a type byte, the rank), one big-endian 32-bit size per dimension,
/// then the data. Only unsigned bytes (type 0x08) are supported, which is
/// what MNIST and its relatives use.
///
/// Every size is checked against the file's length before anything is
/// allocated for the data, with overflow-checked arithmetic.
public enum IDXReader {
    /// The parsed header of an IDX file.
    public struct Header: Equatable, Sendable {
        public var dimensions: [Int]
        /// Bytes before the data: 4 + 4 × rank.
        public var headerSize: Int
        /// The product of the dimensions.
        public var payloadSize: Int
    }

    /// The largest IDX file read: 4 GiB.
    public static let maximumFileSize = 4 << 30

    /// Parses and checks the header of `bytes`, the whole file.
    /// - Parameters:
    ///   - rank: the rank expected (3 for images, 1 for labels).
    ///   - what: what the file holds, for messages ("images", "labels").
    public static func header(of bytes: [UInt8], file: String, rank: Int, what: String) throws(TrainerError) -> Header {
        guard bytes.count >= 4 else {
            throw TrainerError.file(file, "too short for an IDX file (\(bytes.count) bytes); expected at least a 4-byte header")
        }
        if bytes[0] == 0x1F, bytes[1] == 0x8B {
            throw TrainerError.file(file, "gzip-compressed (starts with 1f 8b); gunzip it first")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw TrainerError.file(
                file, "not an IDX file: starts with \(hex(bytes[0])) \(hex(bytes[1])); expected 0x00 0x00")
        }
        guard bytes[2] == 0x08 else {
            throw TrainerError.file(file, "IDX data type \(hex(bytes[2])) is not supported; expected 0x08 (unsigned bytes)")
        }
        let actualRank = Int(bytes[3])
        guard actualRank == rank else {
            let layout = rank == 3 ? "images: count × rows × columns" : rank == 1 ? "labels: one count" : "\(rank) dimensions"
            throw TrainerError.file(file, "IDX rank \(actualRank); expected rank \(rank) (\(layout))")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw TrainerError.file(
                file, "truncated header: rank \(rank) needs \(headerSize) bytes, the file has \(bytes.count)")
        }
        var dimensions: [Int] = []
        var payloadSize = 1
        for d in 0..<rank {
            let offset = 4 + 4 * d
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            dimensions.append(size)
            let (product, overflow) = payloadSize.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw TrainerError.file(file, "header dimensions \(describe(dimensionsOf: bytes, rank: rank)) are too large")
            }
            payloadSize = product
        }
        let available = bytes.count - headerSize
        let shape = dimensions.map(String.init).joined(separator: "×")
        if available < payloadSize {
            throw TrainerError.file(
                file,
                "truncated: header says \(shape) = \(payloadSize) bytes of \(what), file has \(available) after the \(headerSize)-byte header"
            )
        }
        if available > payloadSize {
            throw TrainerError.file(
                file, "\(available - payloadSize) extra bytes after the \(shape) = \(payloadSize) bytes of \(what) the header describes")
        }
        return Header(dimensions: dimensions, headerSize: headerSize, payloadSize: payloadSize)
    }

    private static func describe(dimensionsOf bytes: [UInt8], rank: Int) -> String {
        (0..<rank).map { d in
            let offset = 4 + 4 * d
            return String(
                UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
        }.joined(separator: "×")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
    }
}

/// Builds a data set from an IDX image file and an IDX label file: pixels
/// scaled from 0…255 to [0, 1], labels one-hot over the output layer.
enum IDXDataLoader {
    static func load<S: Scalar>(_ source: IDXSource, shape: DataShape) throws(TrainerError) -> Dataset<S> {
        let imagesFile = source.images.display, labelsFile = source.labels.display
        var imageBytes = try FileReading.read(
            source.images.path, display: source.images.openingPlace, maximumSize: IDXReader.maximumFileSize)
        let images = try IDXReader.header(of: imageBytes, file: imagesFile, rank: 3, what: "pixels")
        let labelBytes = try FileReading.read(
            source.labels.path, display: source.labels.openingPlace, maximumSize: IDXReader.maximumFileSize)
        let labels = try IDXReader.header(of: labelBytes, file: labelsFile, rank: 1, what: "labels")
        let imageCount = images.dimensions[0], labelCount = labels.dimensions[0]
        guard imageCount == labelCount else {
            throw TrainerError.at(shape.configFile, path: source.path, "\(imageCount) images but \(labelCount) labels")
        }
        var count = imageCount
        if let limit = source.limit {
            guard limit <= imageCount else {
                throw TrainerError.at(shape.configFile, path: source.path + ".limit", "\(limit) > \(imageCount) samples")
            }
            count = limit
        }
        guard count > 0 else { throw TrainerError.file(imagesFile, "no samples; the file holds 0 images") }
        let pixels = images.dimensions[1] * images.dimensions[2]
        guard pixels == shape.inputSize else {
            throw TrainerError.file(
                imagesFile,
                "\(images.dimensions[1])×\(images.dimensions[2]) = \(pixels) pixels per image, but network.layers[0] is \(shape.inputSize)")
        }
        // The targets, asked for first (MemoryProbe).
        try MemoryProbe.require(
            rows: count, columns: shape.outputSize, of: S.self, place: labelsFile, "for \(DataLoader.plural(count, "sample"))")
        // Kept as bytes: pixel p becomes p/255, rounded once from the exact
        // quotient, when a batch is copied (see Dataset). They are the
        // file's bytes with the header (and any images past `limit`) cut
        // off in place: no second copy of the file (docs/performance.md, "IDX images as bytes").
        imageBytes.removeSubrange((images.headerSize + count * pixels)...)
        imageBytes.removeSubrange(0..<images.headerSize)
        let pixelBytes = imageBytes
        var targets = Matrix<S>(rows: count, columns: shape.outputSize)
        for i in 0..<count {
            let label = Int(labelBytes[labels.headerSize + i])
            guard label < shape.outputSize else {
                throw TrainerError.file(
                    labelsFile,
                    "labels[\(i)] = \(label) ≥ \(shape.outputSize) classes (the output layer has \(DataLoader.plural(shape.outputSize, "neuron")))"
                )
            }
            targets[i, label] = 1
        }
        return Dataset(
            name: source.path, bytes: pixelBytes, inputSize: pixels, targets: targets,
            locator: .indexed(file: labelsFile))
    }
}
