import Testing
@testable import TrainerKit

/// The CSV loader sizes its arrays from a count of the file's records
/// (``CSVScanner``) before parsing. Left to grow, an array doubles, holding
/// its old copy beside the new for a moment: a 200,000-row file of 99
/// inputs peaked at 216 MiB where its text and numbers take 157 (measured,
/// release build; 167 MiB now), and the peak depended on where the count
/// fell between powers of two.
@Suite struct CSVSizingTests {
    /// 1,500 rows of 2 inputs and a target: 3,000 inputs, which growth by
    /// doubling would hold in room for 4,096 or more.
    @Test("the inputs and targets are held in arrays of their size, not grown by doubling")
    func arraysAreSizedFromTheCount() throws {
        let directory = TemporaryDirectory()
        var text = "x1,x2,y\n"
        for i in 0..<1_500 { text += "\(i % 7),\(i % 5),\(i % 2)\n" }
        let path = directory.write("x.csv", text)
        let source = DataSource.csv(CSVSource(path: "data.train", file: FilePath(path: path)))
        let data = try DataLoader.load(source, shape: DataShape(inputSize: 2, outputSize: 1, configFile: "c.json"), as: Float.self)
        #expect(data.count == 1_500)
        // Room for a few more at most (malloc rounds a block up).
        #expect(data.inputs.elements.capacity < 3_000 + 64, "room for \(data.inputs.elements.capacity) inputs")
        #expect(data.targets.elements.capacity < 1_500 + 64, "room for \(data.targets.elements.capacity) targets")
    }
}
