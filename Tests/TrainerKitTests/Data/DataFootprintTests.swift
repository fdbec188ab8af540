import Foundation
import Testing
@testable import TrainerKit

/// ``DataFootprint/survey(_:shape:)`` sizes a data set without reading it
/// into memory. Its sample counts must be the loader's (the expected counts
/// are the loaded data sets'), and it must give up (nil) where the loader
/// reports an error or the input cannot be read twice.
@Suite struct DataFootprintTests {
    static let shape = DataShape(inputSize: 2, outputSize: 1, configFile: "c.json")

    func csv(_ directory: TemporaryDirectory, _ text: String, header: Bool? = nil) -> DataSource {
        let path = directory.write("x.csv", text)
        return .csv(CSVSource(path: "data.train", file: FilePath(path: path), header: header))
    }

    @Test(
        "a CSV file: its records less a detected header, its size",
        arguments: [
            "1,2,3\n4,5,6\n",
            "a,b,y\n1,2,3\n4,5,6\n",
            "\u{FEFF}a,b,y\r\n1,2,3\r\n\r\n4,5,6",
            "1,\"2\",3\r\n\"4\",5,6\n\n\n",
            "\"a\nb\",c,y\n1,2,3\n",
            "a,b,y\n",
        ])
    func csvMatchesTheLoader(text: String) throws {
        let directory = TemporaryDirectory()
        let source = csv(directory, text)
        let footprint = try #require(DataFootprint.survey(source, shape: Self.shape))
        // The loader refuses a file of a header only ("no samples"): 0.
        let count = text == "a,b,y\n" ? 0 : try DataLoader.load(source, shape: Self.shape, as: Double.self).count
        #expect(footprint.samples == count)
        #expect(footprint.fileBytes == text.utf8.count)
        #expect(footprint.form == .csv && !footprint.classes)
    }

    @Test("header: true and false are the config's word, not detected")
    func csvHeaderFromConfig() throws {
        let directory = TemporaryDirectory()
        #expect(DataFootprint.survey(csv(directory, "1,2,3\n4,5,6\n", header: true), shape: Self.shape)?.samples == 1)
        #expect(DataFootprint.survey(csv(directory, "a,b,y\n4,5,6\n", header: false), shape: Self.shape)?.samples == 2)
    }

    @Test("nothing for a stream or a missing file; a file over 256 MiB is counted, the loader streams it")
    func csvUnknown() throws {
        let directory = TemporaryDirectory()
        let stream = CSVSource(path: "data.train", file: FilePath(path: "/dev/stdin"))
        #expect(DataFootprint.survey(.csv(stream), shape: Self.shape) == nil)
        let missing = CSVSource(path: "data.train", file: FilePath(path: directory.file("missing.csv")))
        #expect(DataFootprint.survey(.csv(missing), shape: Self.shape) == nil)
        let large = directory.file("large.csv")
        try #require(FileManager.default.createFile(atPath: large, contents: nil))
        try #require(truncate(large, off_t(FileReading.maximumSize + 1)) == 0)  // sparse: no disk used
        let footprint = DataFootprint.survey(.csv(CSVSource(path: "data.train", file: FilePath(path: large))), shape: Self.shape)
        #expect(footprint?.fileBytes == FileReading.maximumSize + 1)
    }

    @Test("IDX files: the header's count (or limit) and both files' sizes")
    func idxFromHeaders() throws {
        let directory = TemporaryDirectory()
        let images = directory.write("i.idx", bytes: idxBytes(dimensions: [3, 1, 2], payload: [UInt8](repeating: 7, count: 6)))
        let labels = directory.write("l.idx", bytes: idxBytes(dimensions: [3], payload: [0, 1, 0]))
        var source = IDXSource(path: "data.train", images: FilePath(path: images), labels: FilePath(path: labels))
        let shape = DataShape(inputSize: 2, outputSize: 2, configFile: "c.json")
        #expect(
            DataFootprint.survey(.idx(source), shape: shape)
                == DataFootprint(
                    name: "data.train", form: .idx, samples: 3, inputs: 2, outputs: 2, classes: true, fileBytes: (16 + 6) + (8 + 3)))
        source.limit = 2
        #expect(DataFootprint.survey(.idx(source), shape: shape)?.samples == 2)
        // Pixels that do not fit the network: the loader's error, not a guess.
        #expect(DataFootprint.survey(.idx(source), shape: DataShape(inputSize: 3, outputSize: 2, configFile: "c.json")) == nil)
    }
}
