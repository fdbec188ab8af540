import Glibc
import TrainerKernels

/// Parses a block of whole CSV records on several threads: the block is cut
/// at record ends into one piece a thread (``CSVRecordParser`` each), and
/// the pieces' results come back in file order, so the values, the line
/// numbers and the first refused record are those of one thread.
final class CSVParallelParser<S: Scalar> {
    private let plan: CSVColumnPlan
    private let file: String
    private let pool: KernelThreadPool?
    private let threads: Int
    /// Pieces smaller than this are not split further: starting a part
    /// costs microseconds, parsing this many bytes about a hundred.
    static var smallestPiece: Int { 1 << 14 }

    /// - Parameter threads: threads taking part, the caller's included
    ///   (clamped to 1…64).
    init(plan: CSVColumnPlan, file: String, threads: Int) {
        self.plan = plan
        self.file = file
        self.threads = min(max(threads, 1), 64)
        pool = self.threads > 1 ? KernelThreadPool(threads: self.threads, minimumOperations: 0) : nil
    }

    deinit { pool?.shutdown() }

    /// Parses `block[start...]`, whole records, into one result a piece, in
    /// order; `wantsBytes` as ``CSVRecordParser/parse(_:range:plan:file:wantsBytes:)``.
    func parse(_ block: [UInt8], from start: Int, wantsBytes: Bool) -> [CSVPieceResult<S>] {
        let cuts = pieces(of: block, from: start)
        let plan = self.plan, file = self.file
        guard let pool, cuts.count > 2 else {
            return [CSVRecordParser.parse(block, range: start..<block.count, plan: plan, file: file, wantsBytes: wantsBytes)]
        }
        let jobs = Jobs(count: cuts.count - 1) { part in
            CSVRecordParser.parse(block, range: cuts[part]..<cuts[part + 1], plan: plan, file: file, wantsBytes: wantsBytes)
        }
        let context = Unmanaged.passRetained(jobs)
        pool.run(parts: cuts.count - 1, context: UnsafeRawPointer(context.toOpaque())) { context, part in
            Unmanaged<PieceJobs>.fromOpaque(context).takeUnretainedValue().run(part)
        }
        context.release()
        return jobs.collect()
    }

    /// The pieces' bounds: `start`, the cuts between pieces, the end. A
    /// block without a quote is cut after the LF nearest past each share
    /// (an LF outside quotes always ends a record or a blank line); one with
    /// quotes where ``CSVScanner`` finds a record end.
    private func pieces(of block: [UInt8], from start: Int) -> [Int] {
        let length = block.count - start
        let parts = min(threads, max(length / CSVParallelParser.smallestPiece, 1))
        guard parts > 1 else { return [start, block.count] }
        var cuts = [start]
        block.withElementPointer { base in
            if memchr(base + start, Int32(UInt8(ascii: "\"")), length) == nil {
                for part in 1..<parts {
                    let from = max(start + length * part / parts, cuts.last!)
                    guard from < block.count, let newline = memchr(base + from, 0x0A, block.count - from) else { break }
                    let cut = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                    if cut > cuts.last!, cut < block.count { cuts.append(cut) }
                }
            } else {
                var scanner = CSVScanner()
                var scanned = start
                for part in 1..<parts {
                    let to = start + length * part / parts
                    if let cut = scanner.scan(UnsafeBufferPointer(start: base + scanned, count: to - scanned)) {
                        let offset = scanned + cut
                        if offset > cuts.last!, offset < block.count { cuts.append(offset) }
                    }
                    scanned = to
                }
            }
        }
        cuts.append(block.count)
        return cuts
    }

    /// The parts of one block and their results, reached by the pool's
    /// threads through a pointer; each part writes only its own slot (raw
    /// memory: an array property written from several threads at once
    /// would be a conflicting access).
    private final class Jobs: PieceJobs, @unchecked Sendable {
        let work: (Int) -> CSVPieceResult<S>
        let count: Int
        let results: UnsafeMutablePointer<CSVPieceResult<S>?>

        init(count: Int, work: @escaping (Int) -> CSVPieceResult<S>) {
            self.work = work
            self.count = count
            results = .allocate(capacity: count)
            results.initialize(repeating: nil, count: count)
        }

        deinit {
            results.deinitialize(count: count)
            results.deallocate()
        }

        override func run(_ part: Int) { results[part] = work(part) }

        /// The results, once every part has run.
        func collect() -> [CSVPieceResult<S>] { (0..<count).map { results[$0]! } }
    }
}

/// Jobs of any precision, as a pool task (a C function, which cannot be
/// generic) reaches them.
private class PieceJobs {
    func run(_ part: Int) {}
}
