import Testing
@testable import TrainerKernels
import TrainerKit

// Every fast kernel against the naive one (the specification, STYLE.md item 11),
// at every kernel level this CPU runs, on awkward shapes.
//
// Tolerance: the fast kernels add the same products in the same order as the
// naive ones; only FMA (levels v3 and v4) rounds `c + a·b` once instead of
// twice. So each element may differ by a few rounding errors of the terms it
// sums: we allow |fast − naive| ≤ 4·ε·√s·(|c₀| + Σ|a·b|), ε the type's ulp of
// one and s the summed length (k forward, m gradient, n delta). Level
// `baseline` does no FMA and must equal the naive kernel bit for bit, and so
// must Double at every level (its kernels are `Unfused`, so float64 runs give
// the same bits on every CPU); v3 must equal v4 bit for bit in the forward
// and delta products (same FMAs, same order, only wider vectors), except
// where the float32 delta runs in dot-product tiles (``usesDotTiles``). The float32
// gradient product at v3/v4 sums even and odd samples in two chains within
// each register block, and the blocks differ in length between the levels,
// so there only the tolerance applies.
//
// Shapes stay modest: the test target is a debug build, where the kernel
// targets are compiled without optimisation.

/// One product and its kernel-order shape (see ``Kernels``).
struct KernelCase: Sendable, CustomTestStringConvertible {
    enum Product: Sendable { case forward, gradient, transposedB }
    let product: Product
    let m: Int, k: Int, n: Int
    var alpha = 1.0

    var testDescription: String { "\(product) m=\(m) k=\(k) n=\(n) alpha=\(alpha)" }

    /// Element counts of A, B and C.
    var sizes: (Int, Int, Int) {
        switch product {
        case .forward: (m * k, k * n, m * n)
        case .gradient: (m * k, m * n, k * n)
        case .transposedB: (m * n, k * n, m * k)
        }
    }

    /// The length of each output element's sum.
    var summed: Int {
        switch product {
        case .forward: k
        case .gradient: m
        case .transposedB: n
        }
    }
}

/// Test data from trainer's own seeded generator: the same on every run.
extension RandomGenerator {
    /// Uniform in [-1, 1).
    mutating func unit<S: BinaryFloatingPoint>() -> S { S(2 * nextUnitDouble() - 1) }
    mutating func array<S: BinaryFloatingPoint>(_ count: Int) -> [S] { (0..<count).map { _ in unit() } }
}

/// Float and Double through one generic test.
protocol KernelTestScalar: KernelScalar {
    static func run(_ test: KernelCase, _ a: [Self], _ b: [Self], _ c: inout [Self], level: KernelLevel?, pool: KernelThreadPool?)
}

extension KernelTestScalar {
    /// `c` after the product: the fast kernel at `level`, or the naive one for nil.
    static func result(
        _ test: KernelCase, _ a: [Self], _ b: [Self], _ c: [Self], level: KernelLevel?, pool: KernelThreadPool? = nil
    ) -> [Self] {
        var output = c
        run(test, a, b, &output, level: level, pool: pool)
        return output
    }
}

extension Float: KernelTestScalar {
    static func run(_ test: KernelCase, _ a: [Float], _ b: [Float], _ c: inout [Float], level: KernelLevel?, pool: KernelThreadPool?) {
        let (m, k, n, alpha) = (test.m, test.k, test.n, Float(test.alpha))
        c.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            switch (test.product, level) {
            case (.forward, let level?): Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, level: level, pool: pool)
            case (.forward, nil): Kernels.multiplyAddNaive(a, b, c, m: m, k: k, n: n)
            case (.gradient, let level?):
                Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, level: level, pool: pool)
            case (.gradient, nil): Kernels.multiplyTransposedAAddNaive(alpha: alpha, a, b, c, m: m, k: k, n: n)
            case (.transposedB, let level?): Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k, level: level, pool: pool)
            case (.transposedB, nil): Kernels.multiplyTransposedBNaive(a, b, c, m: m, n: n, k: k)
            }
        }
    }
}

extension Double: KernelTestScalar {
    static func run(_ test: KernelCase, _ a: [Double], _ b: [Double], _ c: inout [Double], level: KernelLevel?, pool: KernelThreadPool?) {
        let (m, k, n, alpha) = (test.m, test.k, test.n, test.alpha)
        c.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            switch (test.product, level) {
            case (.forward, let level?): Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, level: level, pool: pool)
            case (.forward, nil): Kernels.multiplyAddNaive(a, b, c, m: m, k: k, n: n)
            case (.gradient, let level?):
                Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, level: level, pool: pool)
            case (.gradient, nil): Kernels.multiplyTransposedAAddNaive(alpha: alpha, a, b, c, m: m, k: k, n: n)
            case (.transposedB, let level?): Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k, level: level, pool: pool)
            case (.transposedB, nil): Kernels.multiplyTransposedBNaive(a, b, c, m: m, n: n, k: k)
            }
        }
    }
}

/// (m, k, n) in the kernels' own order; for `transposedB` the call is
/// `(m: m, n: n, k: k)` with output m×k.
let awkwardShapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 13, 5), (3, 17, 33), (1, 784, 1), (1, 784, 30), (10, 784, 30), (10, 784, 100),
    (10, 30, 10), (10, 100, 10), (2, 3, 4), (13, 9, 7),
    // Output widths around the vector widths (4, 8, 16 floats; 2, 4, 8 doubles).
    (5, 9, 15), (5, 9, 16), (5, 9, 17), (4, 11, 31), (4, 11, 32), (4, 11, 33), (3, 5, 63), (3, 5, 65),
    // More rows than one register tile, odd row counts.
    (25, 6, 3), (29, 7, 48), (600, 3, 2),
    // Long rows for the float32 delta's dot-product tiles (from n = 4 vectors,
    // up to m = 64 samples; n not a multiple of the vector), and past them.
    (12, 37, 1000), (1, 50, 200), (64, 9, 77), (65, 9, 77),
    // Past them, Bᵀ is packed in blocks of 64 of its rows: 150 = 64 + 64 + 22
    // rows in one packed chunk; 300 in chunks of 163 and 137.
    (70, 150, 20), (70, 300, 100),
]

let kernelCases: [KernelCase] = awkwardShapes.flatMap { shape in
    [
        KernelCase(product: .forward, m: shape.0, k: shape.1, n: shape.2),
        KernelCase(product: .gradient, m: shape.0, k: shape.1, n: shape.2),
        KernelCase(product: .gradient, m: shape.0, k: shape.1, n: shape.2, alpha: 0.3),
        KernelCase(product: .transposedB, m: shape.0, k: shape.1, n: shape.2),
    ]
}

/// Checks every supported level against the naive kernel; returns the
/// results by level.
func checkAgainstNaive<S: KernelTestScalar>(_ type: S.Type, _ test: KernelCase) -> [KernelLevel: [S]] {
    var random = RandomGenerator(seed: UInt64(test.m * 1_000_003 + test.k * 1009 + test.n))
    let (sizeA, sizeB, sizeC) = test.sizes
    let a: [S] = random.array(sizeA), b: [S] = random.array(sizeB), c: [S] = random.array(sizeC)
    let naive = S.result(test, a, b, c, level: nil)
    // Σ|terms|: the naive kernel on absolute values (|α| > 0 here).
    let bound = S.result(test, a.map { abs($0) }, b.map { abs($0) }, c.map { abs($0) }, level: nil)
    let tolerance = 4 * S.ulpOfOne * S(Double(test.summed).squareRoot())
    var results: [KernelLevel: [S]] = [:]
    for level in KernelLevel.supported {
        let fast = S.result(test, a, b, c, level: level)
        results[level] = fast
        if level == .baseline || S.self == Double.self {
            #expect(fast == naive, "\(S.self) \(level) must equal the naive kernel bit for bit: \(test.testDescription)")
            continue
        }
        var worst = 0 as S, worstIndex = 0
        for i in 0..<sizeC {
            let error = abs(fast[i] - naive[i]) / max(bound[i], S.leastNormalMagnitude)
            if error > worst { (worst, worstIndex) = (error, i) }
        }
        #expect(
            worst <= tolerance,
            "\(S.self) \(level) \(test.testDescription): element \(worstIndex) is \(fast.isEmpty ? 0 : fast[worstIndex]), naive \(naive.isEmpty ? 0 : naive[worstIndex])"
        )
    }
    return results
}

/// Whether the float32 delta product runs in dot-product tiles at v3 (from
/// n = 4 vectors of 8, up to m = 64), which sum in as many partial sums as a
/// vector has lanes: v3 and v4 differ there, within the tolerance.
func usesDotTiles(_ test: KernelCase) -> Bool {
    test.product == .transposedB && test.n >= 32 && test.m <= 64
}

@Suite struct KernelTests {
    @Test(arguments: kernelCases)
    func floatKernelsMatchNaive(_ test: KernelCase) {
        let results = checkAgainstNaive(Float.self, test)
        if test.product != .gradient && !usesDotTiles(test), let v3 = results[.v3], let v4 = results[.v4] {
            #expect(v3 == v4, "v3 and v4 must agree bit for bit")
        }
    }

    @Test(arguments: kernelCases)
    func doubleKernelsMatchNaive(_ test: KernelCase) {
        let results = checkAgainstNaive(Double.self, test)
        if let v3 = results[.v3], let v4 = results[.v4] { #expect(v3 == v4, "v3 and v4 must agree bit for bit") }
    }

    /// Splitting a product across threads changes who computes which output
    /// rows, never how: 1, 2 and 3 threads give the same bits.
    @Test func threadsGiveIdenticalBits() {
        let pools = [KernelThreadPool(threads: 2, minimumOperations: 0), KernelThreadPool(threads: 3, minimumOperations: 0)]
        defer { for pool in pools { pool.shutdown() } }
        let tests = [
            KernelCase(product: .forward, m: 10, k: 784, n: 30), KernelCase(product: .forward, m: 3, k: 50, n: 17),
            KernelCase(product: .forward, m: 1, k: 9, n: 40), KernelCase(product: .gradient, m: 10, k: 784, n: 30),
            KernelCase(product: .gradient, m: 10, k: 101, n: 33, alpha: 0.1), KernelCase(product: .gradient, m: 4, k: 1, n: 8),
            // Wide enough for the forward product to split columns of W.
            KernelCase(product: .forward, m: 4, k: 30, n: 300), KernelCase(product: .forward, m: 1, k: 7, n: 129),
            KernelCase(product: .transposedB, m: 10, k: 37, n: 100), KernelCase(product: .transposedB, m: 70, k: 21, n: 80),
            KernelCase(product: .transposedB, m: 3, k: 40, n: 10),
        ]
        for test in tests {
            var random = RandomGenerator(seed: 99)
            let (sizeA, sizeB, sizeC) = test.sizes
            let a: [Float] = random.array(sizeA), b: [Float] = random.array(sizeB), c: [Float] = random.array(sizeC)
            let da = a.map(Double.init), db = b.map(Double.init), dc = c.map(Double.init)
            for level in KernelLevel.supported {
                let one = Float.result(test, a, b, c, level: level)
                let oneDouble = Double.result(test, da, db, dc, level: level)
                for pool in pools {
                    // Repeat: a worker may be spinning, asleep, or late.
                    for _ in 0..<3 {
                        #expect(Float.result(test, a, b, c, level: level, pool: pool) == one, "\(level) \(test.testDescription)")
                        #expect(Double.result(test, da, db, dc, level: level, pool: pool) == oneDouble, "\(level) \(test.testDescription)")
                    }
                }
            }
        }
    }

    /// The element-by-element loops equal their scalar expressions bit for
    /// bit at every level, for lengths around each vector width (tails).
    @Test(arguments: [1, 3, 7, 8, 15, 16, 17, 31, 33, 100])
    func elementwiseMatchesScalar(count: Int) {
        var random = RandomGenerator(seed: UInt64(count + 1))
        let x: [Float] = random.array(count), g: [Float] = random.array(count)
        let dx = x.map(Double.init), dg = g.map(Double.init)
        for level in KernelLevel.supported {
            var divided = x, dDivided = dx, updated = x, dUpdated = dx
            divided.withUnsafeMutableBufferPointer { Kernels.divide($0.baseAddress!, count: count, by: 7, level: level) }
            dDivided.withUnsafeMutableBufferPointer { Kernels.divide($0.baseAddress!, count: count, by: 7, level: level) }
            updated.withUnsafeMutableBufferPointer { Kernels.subtractScaled($0.baseAddress!, g, scale: 0.3, count: count, level: level) }
            dUpdated.withUnsafeMutableBufferPointer { Kernels.subtractScaled($0.baseAddress!, dg, scale: 0.3, count: count, level: level) }
            #expect(divided == x.map { $0 / 7 }, "\(level)")
            #expect(dDivided == dx.map { $0 / 7 }, "\(level)")
            // w - (0.3·g): the product rounded on its own, as the scalar code does.
            #expect(
                updated
                    == zip(x, g).map { w, g in
                        let p: Float = 0.3 * g
                        return w - p
                    }, "\(level)")
            #expect(
                dUpdated
                    == zip(dx, dg).map { w, g in
                        let p: Double = 0.3 * g
                        return w - p
                    }, "\(level)")
        }
    }

    /// IDX pixels: every byte at every level is p/255 rounded once from the
    /// exact quotient, in float32 (rounded from the float64 quotient: the two
    /// roundings agree for all 256 bytes) and float64.
    @Test func unitBytesAreCorrectlyRounded() {
        let bytes = (0..<300).map { UInt8($0 % 256) }
        for level in KernelLevel.supported {
            var floats = [Float](repeating: -1, count: bytes.count), doubles = [Double](repeating: -1, count: bytes.count)
            bytes.withUnsafeBufferPointer { b in
                floats.withUnsafeMutableBufferPointer { Kernels.unitBytes(b.baseAddress!, $0.baseAddress!, count: b.count, level: level) }
                doubles.withUnsafeMutableBufferPointer { Kernels.unitBytes(b.baseAddress!, $0.baseAddress!, count: b.count, level: level) }
            }
            #expect(floats == bytes.map { Float(Double($0) / 255) }, "\(level)")
            #expect(doubles == bytes.map { Double($0) / 255 }, "\(level)")
        }
    }

    /// The delta rule inside the gradient product equals its specification
    /// (G = 0, G += aᵀδ, w −= η·(g/m)): bit for bit for float64 at every level
    /// and for float32 at baseline, within the product tolerance for float32
    /// with FMA. Batches longer than one register block (m = 13, 29, 600)
    /// go through the scratch partial sums; output widths straddle the
    /// vector widths; 1, 2 and 3 threads give the same bits.
    @Test(arguments: [
        (1, 1, 1), (10, 784, 30), (10, 784, 100), (10, 30, 10), (10, 100, 10), (13, 9, 7), (4, 11, 33),
        (5, 9, 17), (29, 7, 48), (600, 3, 2), (12, 5, 16), (3, 17, 8),
    ])
    func deltaRuleStepMatchesSpecification(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var random = RandomGenerator(seed: UInt64(m * 7919 + k * 31 + n))
        let a: [Double] = random.array(m * k), delta: [Double] = random.array(m * n), w: [Double] = random.array(k * n)
        let (divisor, rate) = (Double(m), 0.7)
        var scratch = [Double](repeating: .nan, count: k * n)
        var expected = w
        Kernels.deltaRuleStepNaive(a, delta, &expected, scratch: &scratch, m: m, k: k, n: n, divisor: divisor, rate: rate)
        let fa = a.map(Float.init), fdelta = delta.map(Float.init), fw = w.map(Float.init)
        var fexpected = fw
        var fscratch = [Float](repeating: .nan, count: k * n)
        Kernels.deltaRuleStepNaive(fa, fdelta, &fexpected, scratch: &fscratch, m: m, k: k, n: n, divisor: Float(m), rate: 0.7)
        let pools = [nil, KernelThreadPool(threads: 2, minimumOperations: 0), KernelThreadPool(threads: 3, minimumOperations: 0)]
        defer { for pool in pools { pool?.shutdown() } }
        for level in KernelLevel.supported {
            for pool in pools {
                var updated = w
                scratch = [Double](repeating: .nan, count: k * n)
                Kernels.deltaRuleStep(
                    a, delta, &updated, scratch: &scratch, m: m, k: k, n: n, divisor: divisor, rate: rate, level: level, pool: pool)
                #expect(updated == expected, "float64 \(level) threads \(pool?.threadCount ?? 1) m=\(m) k=\(k) n=\(n)")
                var fupdated = fw
                fscratch = [Float](repeating: .nan, count: k * n)
                Kernels.deltaRuleStep(
                    fa, fdelta, &fupdated, scratch: &fscratch, m: m, k: k, n: n, divisor: Float(m), rate: 0.7, level: level, pool: pool)
                if level == .baseline {
                    #expect(fupdated == fexpected, "float32 baseline m=\(m) k=\(k) n=\(n)")
                } else {
                    // |Δw| ≤ η/m · 4ε√m · Σ|a·δ| ≤ η/m · 4ε√m · m (|a|, |δ| < 1), plus w's own rounding.
                    let tolerance = Float(0.7) * 4 * Float.ulpOfOne * Float(Double(m).squareRoot()) + 2 * Float.ulpOfOne
                    let worst = zip(fupdated, fexpected).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst <= tolerance, "float32 \(level) m=\(m) k=\(k) n=\(n): \(worst)")
                }
            }
        }
    }

    /// The delta and the update in one pass over W give the bits of the two
    /// products one after the other, at every level and thread count, where
    /// the delta runs in dot-product tiles (n ≥ 64, m ≤ 64) and where not.
    @Test(arguments: [(10, 37, 100), (3, 5, 70), (64, 9, 77), (1, 20, 64), (65, 7, 80), (10, 30, 10), (12, 40, 1000)])
    func deltaAndUpdateInOnePassMatchTwoProducts(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var random = RandomGenerator(seed: UInt64(m * 131 + k * 7 + n))
        let a: [Float] = random.array(m * k), delta: [Float] = random.array(m * n), w: [Float] = random.array(k * n)
        let scaled = delta.map { $0 * -0.03 }
        let pools = [nil, KernelThreadPool(threads: 2, minimumOperations: 0)]
        defer { for pool in pools { pool?.shutdown() } }
        for level in KernelLevel.supported {
            var expectedOut = [Float](repeating: .nan, count: m * k), expectedW = w
            Kernels.multiplyTransposedB(delta, w, &expectedOut, m: m, n: n, k: k, level: level)
            Kernels.multiplyTransposedAAdd(alpha: 1, a, scaled, &expectedW, m: m, k: k, n: n, level: level)
            for pool in pools {
                var out = [Float](repeating: .nan, count: m * k), updated = w
                out.withUnsafeMutableBufferPointer { o in
                    updated.withUnsafeMutableBufferPointer { u in
                        Kernels.multiplyTransposedBUpdating(
                            delta, scaled: scaled, a, u.baseAddress!, o.baseAddress!, m: m, n: n, k: k, level: level, pool: pool)
                    }
                }
                #expect(out == expectedOut && updated == expectedW, "\(level) threads \(pool?.threadCount ?? 1) m=\(m) k=\(k) n=\(n)")
            }
        }
    }

    /// A pool that was shut down still computes, on the caller alone.
    @Test func shutDownPoolRunsOnCaller() {
        let pool = KernelThreadPool(threads: 2, minimumOperations: 0)
        pool.shutdown()
        pool.shutdown()
        let test = KernelCase(product: .forward, m: 4, k: 5, n: 6)
        var random = RandomGenerator(seed: 5)
        let a: [Float] = random.array(20), b: [Float] = random.array(30), c: [Float] = random.array(24)
        #expect(Float.result(test, a, b, c, level: .baseline, pool: pool) == Float.result(test, a, b, c, level: nil))
    }

    /// Empty shapes change nothing (and `multiplyTransposedB` with n = 0 writes zeros).
    @Test func emptyShapes() {
        for level in KernelLevel.supported {
            var c: [Float] = [1, 2, 3, 4]
            Kernels.multiplyAdd([], [], &c, m: 2, k: 0, n: 2, level: level)
            #expect(c == [1, 2, 3, 4])
            Kernels.multiplyTransposedAAdd(alpha: 2, [], [], &c, m: 0, k: 2, n: 2, level: level)
            #expect(c == [1, 2, 3, 4])
            Kernels.multiplyTransposedB([], [], &c, m: 2, n: 0, k: 2, level: level)
            #expect(c == [0, 0, 0, 0])
        }
    }

    /// The level comes from the cpuinfo flags; a partial set falls back.
    @Test func levelFromCPUFlags() {
        let v3: [Substring] = [
            "fpu", "cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3", "avx", "avx2", "bmi1", "bmi2",
            "f16c", "fma", "abm", "movbe", "xsave",
        ]
        let v4 = v3 + ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        #expect(KernelLevel.level(flags: Set(v4)) == .v4)
        #expect(KernelLevel.level(flags: Set(v3)) == .v3)
        #expect(KernelLevel.level(flags: Set(v4.filter { $0 != "avx512bw" })) == .v3)
        #expect(KernelLevel.level(flags: Set(v4.filter { $0 != "fma" })) == .baseline)
        #expect(KernelLevel.level(flags: ["fpu", "sse2"]) == .baseline)
        #expect(KernelLevel.supported.first == .baseline)
        #expect(KernelLevel.active.isSupported)
        #expect(KernelLevel(name: "v3") == .v3 && KernelLevel(name: "avx") == nil)
    }
}
