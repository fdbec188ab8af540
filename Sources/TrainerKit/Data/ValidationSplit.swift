/// `training.validation_split`: a seeded, stratified share of `data.train`
/// held out for validation.
///
/// The generator is derived from `training.seed` (`seed` XOR a constant), not
/// taken from the shuffling stream, so adding a split does not change how the
/// rest is shuffled, and the same seed always holds out the same samples.
/// For classes, each class gives `round(fraction · its count)` samples (so the
/// shares of classes are kept); otherwise `round(fraction · n)` samples are
/// drawn from all. Both parts keep the file's order.
extension Dataset {
    /// XORed into the seed for the split's own generator ("validate").
    static var splitSeedSalt: UInt64 { 0x7661_6C69_6461_7465 }

    /// The samples at `indices`, in that order.
    func subset(_ indices: [Int], name: String) -> Dataset {
        let subsetTargets = Matrix(
            rows: indices.count, columns: outputSize, elements: rows(of: targets.elements, width: outputSize, indices))
        let subsetLocator: SampleLocator =
            switch locator {
            case .lines(let file, let lines): .lines(file: file, lines: indices.map { lines[$0] })
            default: locator
            }
        switch inputStorage {
        case .values(let matrix):
            return Dataset(
                name: name,
                inputs: Matrix(rows: indices.count, columns: inputSize, elements: rows(of: matrix.elements, width: inputSize, indices)),
                targets: subsetTargets, classNames: classNames, locator: subsetLocator)
        case .bytes(let bytes):
            return Dataset(
                name: name, bytes: rows(of: bytes, width: inputSize, indices), inputSize: inputSize, targets: subsetTargets,
                classNames: classNames, locator: subsetLocator)
        case .integers(let bytes):
            return Dataset(
                name: name, integers: rows(of: bytes, width: inputSize, indices), inputSize: inputSize, targets: subsetTargets,
                classNames: classNames, locator: subsetLocator)
        }
    }

    /// Rows `indices` (of `width` elements each) of a row-major array, in that order.
    private func rows<T>(of elements: [T], width: Int, _ indices: [Int]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(indices.count * width)
        for i in indices { result.append(contentsOf: elements[i * width..<(i + 1) * width]) }
        return result
    }

    /// The indices held out for validation (sorted).
    func validationIndices(fraction: Double, seed: UInt64) -> [Int] {
        var generator = RandomGenerator(seed: seed ^ Dataset.splitSeedSalt)
        var groups: [[Int]]
        if let labels {
            groups = Array(repeating: [], count: outputSize)
            for (i, label) in labels.enumerated() { groups[label].append(i) }
        } else {
            groups = [Array(0..<count)]
        }
        var held: [Int] = []
        for var group in groups where !group.isEmpty {
            generator.shuffle(&group)
            let take = Int((fraction * Double(group.count)).rounded())
            held.append(contentsOf: group.prefix(take))
        }
        return held.sorted()
    }

    /// `(train, validation)`, or an error when either part would be empty.
    func splitForValidation(fraction: Double, seed: UInt64, file: String) throws(TrainerError) -> (Dataset, Dataset) {
        let held = validationIndices(fraction: fraction, seed: seed)
        guard !held.isEmpty, held.count < count else {
            throw TrainerError.at(
                file, path: "training.validation_split",
                "\(fraction) of \(DataLoader.plural(count, "sample")) leaves \(held.isEmpty ? "no validation sample" : "no training sample"); expected a fraction that keeps both"
            )
        }
        var isHeld = [Bool](repeating: false, count: count)
        for i in held { isHeld[i] = true }
        let kept = (0..<count).filter { !isHeld[$0] }
        return (subset(kept, name: name), subset(held, name: "training.validation_split"))
    }
}
