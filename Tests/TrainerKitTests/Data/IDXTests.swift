import Foundation
import Testing
@testable import TrainerKit

// Tests of the IDX reader and loader (docs/configuration.md "data", docs/faults.md C4-C7, G2).
// Every file is built byte by byte here (`idxBytes`, Support/TestSupport.swift):
// the magic 00 00 08 <rank>, one big-endian UInt32 per dimension, then the
// unsigned-byte payload.

// MARK: - Helpers

/// An image file of `count` images of `rows × columns` pixels.
private func imageFile(count: UInt32, rows: UInt32, columns: UInt32, pixels: [UInt8]) -> [UInt8] {
    idxBytes(dimensions: [count, rows, columns], payload: pixels)
}

private func labelFile(_ labels: [UInt8]) -> [UInt8] {
    idxBytes(dimensions: [UInt32(labels.count)], payload: labels)
}

/// The error line for an image header (rank 3) in the file `images.idx`.
private func imageHeaderError(_ bytes: [UInt8]) -> String? {
    errorLine { () throws(TrainerError) in _ = try IDXReader.header(of: bytes, file: "images.idx", rank: 3, what: "pixels") }
}

/// A temporary folder holding `images.idx` and `labels.idx`, and ways to load them.
private struct IDXFixture {
    let directory = TemporaryDirectory()

    func source(images: [UInt8], labels: [UInt8], limit: Int? = nil) -> IDXSource {
        let imagesPath = directory.write("data/images.idx", bytes: images)
        let labelsPath = directory.write("data/labels.idx", bytes: labels)
        return IDXSource(
            path: "data.train",
            images: FilePath(path: imagesPath, origin: "c.json: data.train.idx_images"),
            labels: FilePath(path: labelsPath, origin: "c.json: data.train.idx_labels"),
            limit: limit)
    }

    func load<S: Scalar>(_ source: IDXSource, inputs: Int, outputs: Int, as: S.Type = S.self) throws(TrainerError) -> Dataset<S> {
        try DataLoader.load(.idx(source), shape: DataShape(inputSize: inputs, outputSize: outputs, configFile: "c.json"))
    }

    /// The error line, with the temporary folder removed from paths.
    func error(_ source: IDXSource, inputs: Int, outputs: Int) -> String? {
        errorLine { () throws(TrainerError) in _ = try load(source, inputs: inputs, outputs: outputs, as: Double.self) }
            .map(directory.relative)
    }
}

// MARK: - Valid files

@Suite struct IDXLoaderTests {
    /// One 16×16 image holding every pixel value 0...255 in order.
    @Test func pixelsAreScaledByExactlyOneDivision() throws {
        let fixture = IDXFixture()
        let pixels = (0...255).map { UInt8($0) }
        let source = fixture.source(images: imageFile(count: 1, rows: 16, columns: 16, pixels: pixels), labels: labelFile([3]))
        let data: Dataset<Double> = try fixture.load(source, inputs: 256, outputs: 10)
        #expect(data.count == 1)
        #expect(data.inputSize == 256)
        // Pixel p is the Double nearest to p/255 (IEEE division rounds once).
        // `inputs` builds the matrix on each access for byte data: read it once.
        let inputs = data.inputs
        for p in 0...255 {
            #expect(inputs[0, p] == Double(p) / 255, "pixel \(p)")
        }
        #expect(inputs[0, 0] == 0)
        #expect(inputs[0, 255] == 1)
        // In float32, the Float nearest to p/255.
        let single: Dataset<Float> = try fixture.load(source, inputs: 256, outputs: 10)
        let singleInputs = single.inputs
        for p in 0...255 {
            #expect(singleInputs[0, p] == Float(p) / 255, "pixel \(p)")
        }
    }

    @Test func labelsAreOneHot() throws {
        let fixture = IDXFixture()
        // Three 1×2 images: (0, 255), (51, 102), (204, 153); labels 2, 0, 1 over 3 outputs.
        let images = imageFile(count: 3, rows: 1, columns: 2, pixels: [0, 255, 51, 102, 204, 153])
        let data: Dataset<Double> = try fixture.load(fixture.source(images: images, labels: labelFile([2, 0, 1])), inputs: 2, outputs: 3)
        #expect(data.count == 3)
        // 51/255 = 0.2, 102/255 = 0.4, 204/255 = 0.8, 153/255 = 0.6, each the one rounding of the quotient.
        let expected: [[Double]] = [[0, 1], [51.0 / 255, 102.0 / 255], [204.0 / 255, 153.0 / 255]]
        #expect(data.inputs.rowArrays == expected)
        #expect(data.targets.rowArrays == [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
        #expect(data.labels == [2, 0, 1])
        #expect(data.name == "data.train")
    }

    @Test func limitTakesTheFirstSamples() throws {
        let fixture = IDXFixture()
        // Three 1×1 images 10, 20, 30 labelled 0, 1, 0; limit 2 keeps the first two.
        let source = fixture.source(
            images: imageFile(count: 3, rows: 1, columns: 1, pixels: [10, 20, 30]), labels: labelFile([0, 1, 0]), limit: 2)
        let data: Dataset<Double> = try fixture.load(source, inputs: 1, outputs: 2)
        #expect(data.count == 2)
        let expected: [[Double]] = [[10.0 / 255], [20.0 / 255]]
        #expect(data.inputs.rowArrays == expected)
        #expect(data.labels == [0, 1])
        // limit equal to the count is allowed.
        let all: Dataset<Double> = try fixture.load(
            fixture.source(
                images: imageFile(count: 3, rows: 1, columns: 1, pixels: [10, 20, 30]), labels: labelFile([0, 1, 0]), limit: 3),
            inputs: 1, outputs: 2)
        #expect(all.count == 3)
    }

    @Test func headerOfAValidFile() throws {
        // 2 images of 3×4: 16 header bytes and 24 payload bytes.
        let header = try IDXReader.header(
            of: imageFile(count: 2, rows: 3, columns: 4, pixels: [UInt8](repeating: 7, count: 24)), file: "images.idx", rank: 3,
            what: "pixels")
        #expect(header == IDXReader.Header(dimensions: [2, 3, 4], headerSize: 16, payloadSize: 24))
    }

    @Test(.enabled(if: mnistDirectory != nil, mnistSkipReason))
    func realMNISTTestFiles() throws {
        // The MNIST test set (LeCun, Cortes, Burges; scripts/fetch-mnist.sh
        // checks its MD5s): 10,000 images of 28×28 (7,840,016 bytes) and
        // 10,000 labels (10,008 bytes).
        let folder = try #require(mnistDirectory) + "/"
        let images = try IDXReader.header(
            of: try FileReading.read(folder + "t10k-images-idx3-ubyte", maximumSize: IDXReader.maximumFileSize),
            file: "t10k-images-idx3-ubyte", rank: 3, what: "pixels")
        #expect(images == IDXReader.Header(dimensions: [10000, 28, 28], headerSize: 16, payloadSize: 7_840_000))
        let labels = try IDXReader.header(
            of: try FileReading.read(folder + "t10k-labels-idx1-ubyte"), file: "t10k-labels-idx1-ubyte", rank: 1, what: "labels")
        #expect(labels == IDXReader.Header(dimensions: [10000], headerSize: 8, payloadSize: 10000))
        // The first five labels of the test set are 7, 2, 1, 0, 4 (the digits of its first images).
        let source = IDXSource(
            path: "data.test", images: FilePath(path: folder + "t10k-images-idx3-ubyte"),
            labels: FilePath(path: folder + "t10k-labels-idx1-ubyte"), limit: 5)
        let data: Dataset<Float> = try DataLoader.load(.idx(source), shape: DataShape(inputSize: 784, outputSize: 10, configFile: "c.json"))
        #expect(data.labels == [7, 2, 1, 0, 4])
        #expect(data.inputs.elements.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

// MARK: - Faults

@Suite struct IDXErrorTests {
    @Test func truncatedPayload() {
        // 2 images of 2×2 need 8 bytes; the file was cut after 5.
        #expect(
            imageHeaderError(imageFile(count: 2, rows: 2, columns: 2, pixels: [1, 2, 3, 4, 5]))
                == "trainer: error: images.idx: truncated: header says 2×2×2 = 8 bytes of pixels, file has 5 after the 16-byte header")
    }

    @Test func headerPromisesMoreThanTheFileHolds() {
        // MNIST's training header (60000×28×28 = 47,040,000 bytes) over 10 bytes of pixels.
        #expect(
            imageHeaderError(imageFile(count: 60000, rows: 28, columns: 28, pixels: [UInt8](repeating: 0, count: 10)))
                == "trainer: error: images.idx: truncated: header says 60000×28×28 = 47040000 bytes of pixels, file has 10 after the 16-byte header"
        )
    }

    @Test func extraTrailingBytes() {
        // 1×2×2 = 4 bytes described, 7 present.
        #expect(
            imageHeaderError(imageFile(count: 1, rows: 2, columns: 2, pixels: [1, 2, 3, 4, 5, 6, 7]))
                == "trainer: error: images.idx: 3 extra bytes after the 1×2×2 = 4 bytes of pixels the header describes")
    }

    @Test func gzipCompressed() {
        // 1f 8b 08 00: the gzip magic number and the deflate method.
        #expect(
            imageHeaderError([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])
                == "trainer: error: images.idx: gzip-compressed (starts with 1f 8b); gunzip it first")
    }

    @Test(arguments: [[], [0x00], [0x00, 0x00, 0x08]] as [[UInt8]])
    func shorterThanFourBytes(bytes: [UInt8]) {
        #expect(
            imageHeaderError(bytes)
                == "trainer: error: images.idx: too short for an IDX file (\(bytes.count) bytes); expected at least a 4-byte header")
    }

    @Test func nonZeroFirstBytes() {
        #expect(
            imageHeaderError([0x12, 0x34, 0x08, 0x03] + [UInt8](repeating: 0, count: 12))
                == "trainer: error: images.idx: not an IDX file: starts with 0x12 0x34; expected 0x00 0x00")
        #expect(
            imageHeaderError([0x00, 0x01, 0x08, 0x03] + [UInt8](repeating: 0, count: 12))
                == "trainer: error: images.idx: not an IDX file: starts with 0x00 0x01; expected 0x00 0x00")
    }

    @Test func wrongTypeByte() {
        // 0x0D is IDX's float32 type.
        #expect(
            imageHeaderError(idxBytes(type: 0x0D, dimensions: [1, 1, 1], payload: [0, 0, 0, 0]))
                == "trainer: error: images.idx: IDX data type 0x0d is not supported; expected 0x08 (unsigned bytes)")
    }

    @Test func wrongRank() {
        // A label file (rank 1) where images (rank 3) are expected, and the reverse.
        #expect(
            imageHeaderError(labelFile([1, 2]))
                == "trainer: error: images.idx: IDX rank 1; expected rank 3 (images: count × rows × columns)")
        let asLabels = errorLine { () throws(TrainerError) in
            _ = try IDXReader.header(of: imageFile(count: 1, rows: 1, columns: 1, pixels: [0]), file: "labels.idx", rank: 1, what: "labels")
        }
        #expect(asLabels == "trainer: error: labels.idx: IDX rank 3; expected rank 1 (labels: one count)")
    }

    @Test func headerShorterThanItsRank() {
        // Rank 3 needs 4 + 4·3 = 16 bytes; the file has 4 + 4 + 2 = 10.
        #expect(
            imageHeaderError([0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00])
                == "trainer: error: images.idx: truncated header: rank 3 needs 16 bytes, the file has 10")
        #expect(
            imageHeaderError([0x00, 0x00, 0x08, 0x03])
                == "trainer: error: images.idx: truncated header: rank 3 needs 16 bytes, the file has 4")
    }

    @Test func dimensionsWhoseProductOverflowsInt() {
        // ffffffff³ ≈ 7.9e28 > Int.max ≈ 9.2e18 (already ffffffff² ≈ 1.8e19 is):
        // reported, not trapped.
        let bytes = idxBytes(dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: [])
        #expect(
            imageHeaderError(bytes)
                == "trainer: error: images.idx: header dimensions 4294967295×4294967295×4294967295 are too large")
    }

    @Test func zeroImagesWithHugeImageSize() {
        // 0 × ffffffff × ffffffff describes 0 bytes, so the header is valid,
        // but rows × columns would overflow: "no samples" must come first.
        let fixture = IDXFixture()
        let source = fixture.source(
            images: idxBytes(dimensions: [0, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: []), labels: labelFile([]))
        #expect(fixture.error(source, inputs: 2, outputs: 2) == "trainer: error: data/images.idx: no samples; the file holds 0 images")
    }

    @Test func labelCountDiffersFromImageCount() {
        let fixture = IDXFixture()
        let source = fixture.source(images: imageFile(count: 3, rows: 1, columns: 1, pixels: [1, 2, 3]), labels: labelFile([0, 1]))
        #expect(fixture.error(source, inputs: 1, outputs: 2) == "trainer: error: c.json: data.train: 3 images but 2 labels")
    }

    @Test func labelNotBelowTheOutputSize() {
        let fixture = IDXFixture()
        // labels[1] = 10 with 10 outputs (classes 0-9).
        let source = fixture.source(images: imageFile(count: 3, rows: 1, columns: 1, pixels: [1, 2, 3]), labels: labelFile([0, 10, 1]))
        #expect(
            fixture.error(source, inputs: 1, outputs: 10)
                == "trainer: error: data/labels.idx: labels[1] = 10 ≥ 10 classes (the output layer has 10 neurons)")
    }

    @Test func limitLargerThanTheCount() {
        let fixture = IDXFixture()
        let source = fixture.source(
            images: imageFile(count: 3, rows: 1, columns: 1, pixels: [1, 2, 3]), labels: labelFile([0, 1, 0]), limit: 4)
        #expect(fixture.error(source, inputs: 1, outputs: 2) == "trainer: error: c.json: data.train.limit: 4 > 3 samples")
    }

    @Test func imageSizeDoesNotMatchTheNetwork() {
        let fixture = IDXFixture()
        let source = fixture.source(images: imageFile(count: 1, rows: 2, columns: 2, pixels: [1, 2, 3, 4]), labels: labelFile([0]))
        #expect(
            fixture.error(source, inputs: 3, outputs: 2)
                == "trainer: error: data/images.idx: 2×2 = 4 pixels per image, but network.layers[0] is 3")
    }

    @Test func faultsInTheLabelFileNameIt() {
        let fixture = IDXFixture()
        // A valid image file with a gzip label file.
        let source = fixture.source(images: imageFile(count: 1, rows: 1, columns: 1, pixels: [1]), labels: [0x1F, 0x8B, 0x08, 0x00])
        #expect(
            fixture.error(source, inputs: 1, outputs: 2)
                == "trainer: error: data/labels.idx: gzip-compressed (starts with 1f 8b); gunzip it first")
    }

    @Test func cutOrCorruptHeadersAreReportedNotTrapped() {
        // Every prefix of a valid 2×2×2 image file, and the full file with each
        // header byte replaced by 00, 01, 7f, 80 and ff: parsed or reported.
        let valid = imageFile(count: 2, rows: 2, columns: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8])
        var accepted = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                let header = try IDXReader.header(of: bytes, file: "images.idx", rank: 3, what: "pixels")
                #expect(header.headerSize + header.payloadSize == bytes.count)
                accepted += 1
            } catch {
                #expect(error.place == "images.idx", "\(error)")
            }
        }
        for length in 0...valid.count { attempt(Array(valid[..<length])) }
        for offset in 0..<16 {
            for value: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF] {
                var bytes = valid
                bytes[offset] = value
                attempt(bytes)
            }
        }
        // Accepted: the whole file, and the 11 "corruptions" that write 00 over
        // a 00 (offsets 0, 1 and the three high bytes of each dimension). Any
        // other change breaks the magic, the rank or the size arithmetic.
        #expect(accepted == 12)
    }

    @Test func missingFileNamesTheKey() {
        let fixture = IDXFixture()
        var source = fixture.source(images: imageFile(count: 1, rows: 1, columns: 1, pixels: [1]), labels: labelFile([0]))
        source.labels = FilePath(path: fixture.directory.file("data/none.idx"), origin: "c.json: data.train.idx_labels")
        #expect(
            fixture.error(source, inputs: 1, outputs: 2)
                == "trainer: error: data/none.idx (from c.json: data.train.idx_labels): No such file or directory")
    }
}
