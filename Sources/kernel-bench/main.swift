// kernel-bench: times the three products for the MNIST shapes at every kernel
// level this CPU runs, after checking each result against the naive kernel.
//
//   swift build -c release && .build/release/kernel-bench [--quick] [--big] [--level v3] [--double]
//
// Prints µs per call (best of several runs, all data in cache as in training)
// and GFLOP/s counting 2·m·k·n operations per product. `--big` times the
// products of 784-1000-1000-10 and 784-1000-10 instead, at m = 1, 10, 100
// and 1000 (their naive kernels are checked against but not timed); `--m
// 16,32` at those batch sizes instead; `--hidden 100` with hidden layers of
// 100 instead of 1000.

import TrainerKernels

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Options

var quick = false
var onlyLevel: KernelLevel?
var includeDouble = false
var big = false
var peak = false
var bigBatches = [1, 10, 100, 1000]
var hidden = 1000
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--quick": quick = true
    case "--double": includeDouble = true
    case "--big": big = true
    case "--peak":
        peak = true
    case "--m":
        guard let list = arguments.popFirst().map({ $0.split(separator: ",").compactMap { Int($0) } }), !list.isEmpty else {
            print("kernel-bench: --m needs batch sizes, as 10,100")
            exit(2)
        }
        (big, bigBatches) = (true, list)
    case "--hidden":
        guard let width = arguments.popFirst().flatMap({ Int($0) }), width >= 1 else {
            print("kernel-bench: --hidden needs a layer width, as 100")
            exit(2)
        }
        (big, hidden) = (true, width)
    case "--level":
        guard let name = arguments.popFirst(), let level = KernelLevel(name: name) else {
            print("kernel-bench: --level needs baseline, v3 or v4")
            exit(2)
        }
        onlyLevel = level
    default:
        print("usage: kernel-bench [--quick] [--big] [--m M,...] [--hidden H] [--double] [--level baseline|v3|v4] [--peak]")
        exit(2)
    }
}

// MARK: - The FMA floor

/// `--peak`: the best of 5 runs of 12 independent multiply-add chains at the
/// level (one core), the floor `make bench` states the kernels against.
/// Printed as `peak GFLOP/s LEVEL …`.
if peak {
    let level = onlyLevel ?? KernelLevel.active
    var best = 0.0
    for run in 0..<5 {
        let start = ContinuousClock.now
        let result = Kernels.multiplyAddChains(iterations: 20_000_000, seed: 0.999_999 + Float(run) * 1e-7, level: level)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard result.sum.isFinite else {
            print("kernel-bench: the peak probe's sum is not finite")
            exit(1)
        }
        best = max(best, Double(result.flops) / seconds / 1e9)
    }
    print("peak \(format(best, 1)) GFLOP/s \(level) (float32 multiply-adds, 12 chains, one core)")
    exit(0)
}

// MARK: - Products under test

enum Product: CaseIterable {
    case forward, gradient, transposedB

    var name: String {
        switch self {
        case .forward: "forward   Z += A·W"
        case .gradient: "gradient  G += Aᵀ·Δ"
        case .transposedB: "delta     D = Δ·Wᵀ"
        }
    }
}

protocol BenchScalar: KernelScalar {
    static var typeName: String { get }
    static func fast(
        _ product: Product, _ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>,
        m: Int, k: Int, n: Int, alpha: Self, level: KernelLevel, pool: KernelThreadPool?)
    static func naive(
        _ product: Product, _ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>,
        m: Int, k: Int, n: Int, alpha: Self)
}

extension Float: BenchScalar {
    static var typeName: String { "f32" }
    static func fast(
        _ product: Product, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int, alpha: Float, level: KernelLevel, pool: KernelThreadPool?
    ) {
        switch product {
        case .forward: Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, level: level, pool: pool)
        case .gradient: Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, level: level, pool: pool)
        case .transposedB: Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k, level: level, pool: pool)
        }
    }
    static func naive(
        _ product: Product, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int, alpha: Float
    ) {
        switch product {
        case .forward: Kernels.multiplyAddNaive(a, b, c, m: m, k: k, n: n)
        case .gradient: Kernels.multiplyTransposedAAddNaive(alpha: alpha, a, b, c, m: m, k: k, n: n)
        case .transposedB: Kernels.multiplyTransposedBNaive(a, b, c, m: m, n: n, k: k)
        }
    }
}

extension Double: BenchScalar {
    static var typeName: String { "f64" }
    static func fast(
        _ product: Product, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int, alpha: Double, level: KernelLevel, pool: KernelThreadPool?
    ) {
        switch product {
        case .forward: Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, level: level, pool: pool)
        case .gradient: Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, level: level, pool: pool)
        case .transposedB: Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k, level: level, pool: pool)
        }
    }
    static func naive(
        _ product: Product, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int, alpha: Double
    ) {
        switch product {
        case .forward: Kernels.multiplyAddNaive(a, b, c, m: m, k: k, n: n)
        case .gradient: Kernels.multiplyTransposedAAddNaive(alpha: alpha, a, b, c, m: m, k: k, n: n)
        case .transposedB: Kernels.multiplyTransposedBNaive(a, b, c, m: m, n: n, k: k)
        }
    }
}

/// Buffer sizes (A, B, C) of a product with the kernels' m, k, n.
func sizes(_ product: Product, m: Int, k: Int, n: Int) -> (Int, Int, Int) {
    switch product {
    case .forward: (m * k, k * n, m * n)
    case .gradient: (m * k, m * n, k * n)
    case .transposedB: (m * n, k * n, m * k)
    }
}

/// The summed length: k, m, n.
func summed(_ product: Product, m: Int, k: Int, n: Int) -> Int {
    switch product {
    case .forward: k
    case .gradient: m
    case .transposedB: n
    }
}

// MARK: - Helpers

struct SeededGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func unit<S: BinaryFloatingPoint>() -> S { S(Double(next() >> 11) * 0x1p-52 - 1) }
}

func nanoseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) * 1e9 + Double(time.tv_nsec)
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}

// MARK: - Verify, then time

var failures = 0

/// One product's inputs with its naive result and error bound, computed once
/// for every level checked against them.
struct Reference<S: BenchScalar> {
    let product: Product
    let m: Int, k: Int, n: Int
    let a: [S], b: [S], c0: [S], naive: [S], bound: [S]
    let alpha: S = 0.37

    init(_ product: Product, m: Int, k: Int, n: Int) {
        (self.product, self.m, self.k, self.n) = (product, m, k, n)
        let (sa, sb, sc) = sizes(product, m: m, k: k, n: n)
        var random = SeededGenerator(state: 42)
        a = (0..<sa).map { _ in random.unit() }
        b = (0..<sb).map { _ in random.unit() }
        c0 = (0..<sc).map { _ in random.unit() }
        var naive = c0, bound = c0.map { abs($0) }
        let absA = a.map { abs($0) }, absB = b.map { abs($0) }
        let (a, b, alpha) = (self.a, self.b, self.alpha)
        naive.withUnsafeMutableBufferPointer { S.naive(product, a, b, $0.baseAddress!, m: m, k: k, n: n, alpha: alpha) }
        bound.withUnsafeMutableBufferPointer { S.naive(product, absA, absB, $0.baseAddress!, m: m, k: k, n: n, alpha: alpha) }
        (self.naive, self.bound) = (naive, bound)
    }
}

/// Checks the fast kernel against the naive one: |fast − naive| must be at most
/// 4·ε·√s·(|C₀| + Σ|products|) elementwise, s the summed length.
@MainActor func verify<S: BenchScalar>(_ reference: Reference<S>, level: KernelLevel, pool: KernelThreadPool?) -> Double {
    let (product, m, k, n) = (reference.product, reference.m, reference.k, reference.n)
    let (a, b, naive, bound) = (reference.a, reference.b, reference.naive, reference.bound)
    let sc = naive.count
    var fast = reference.c0
    fast.withUnsafeMutableBufferPointer {
        S.fast(product, a, b, $0.baseAddress!, m: m, k: k, n: n, alpha: reference.alpha, level: level, pool: pool)
    }
    let tolerance = 4 * S.ulpOfOne * S(Double(summed(product, m: m, k: k, n: n)).squareRoot())
    var worst = 0.0
    for i in 0..<sc {
        let scale = max(bound[i], S.leastNormalMagnitude)
        let error = Double(abs(fast[i] - naive[i]) / scale)
        worst = max(worst, error / Double(tolerance))
    }
    if worst > 1 {
        failures += 1
        print("FAILED: \(product.name) \(m)×\(k)×\(n) \(S.typeName) \(level): error \(format(worst, 2))× tolerance")
    }
    return worst
}

/// Best time per call in µs over several runs of enough calls to last ~20 ms.
@MainActor func time<S: BenchScalar>(
    _ type: S.Type, _ product: Product, m: Int, k: Int, n: Int, level: KernelLevel?, pool: KernelThreadPool?
) -> Double {
    let (sa, sb, sc) = sizes(product, m: m, k: k, n: n)
    var random = SeededGenerator(state: 7)
    let a: [S] = (0..<sa).map { _ in random.unit() }
    let b: [S] = (0..<sb).map { _ in random.unit() }
    var c: [S] = (0..<sc).map { _ in random.unit() }
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                let (pa, pb, pc) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                func call() {
                    if let level {
                        S.fast(product, pa, pb, pc, m: m, k: k, n: n, alpha: 1, level: level, pool: pool)
                    } else {
                        S.naive(product, pa, pb, pc, m: m, k: k, n: n, alpha: 1)
                    }
                }
                // Calibrate the number of calls per run.
                var calls = 1
                while true {
                    let start = nanoseconds()
                    for _ in 0..<calls { call() }
                    if nanoseconds() - start > (quick ? 2e6 : 2e7) { break }
                    calls *= 2
                }
                var best = Double.infinity
                for _ in 0..<(quick ? 3 : 7) {
                    let start = nanoseconds()
                    for _ in 0..<calls { call() }
                    best = min(best, (nanoseconds() - start) / Double(calls))
                }
                return best / 1000
            }
        }
    }
}

// MARK: - Main

let mnistShapes: [(Product, Int, Int, Int)] = [
    (.forward, 10, 784, 30), (.forward, 10, 784, 100), (.forward, 10, 30, 10), (.forward, 10, 100, 10),
    (.gradient, 10, 784, 30), (.gradient, 10, 784, 100), (.gradient, 10, 30, 10), (.gradient, 10, 100, 10),
    (.transposedB, 10, 30, 10), (.transposedB, 10, 100, 10),
]
/// The products of a step of 784-H-H-10 and 784-H-10, H = 1000 unless
/// `--hidden` says (the first layer's delta is never computed).
let bigShapes: [(Product, Int, Int, Int)] = bigBatches.flatMap { m in
    [
        (.forward, m, 784, hidden), (.forward, m, hidden, hidden), (.forward, m, hidden, 10),
        (.gradient, m, 784, hidden), (.gradient, m, hidden, hidden), (.gradient, m, hidden, 10),
        (.transposedB, m, hidden, hidden), (.transposedB, m, hidden, 10),
    ] as [(Product, Int, Int, Int)]
}
let shapes = big ? bigShapes : mnistShapes
let levels = onlyLevel.map { [$0] } ?? KernelLevel.supported
let pool = KernelThreadPool(threads: 2, minimumOperations: 0)
print(
    "kernel levels: detected \(KernelLevel.detected), active \(KernelLevel.active); timing \(levels.map(\.description).joined(separator: ", "))"
)
print("shape is m×k×n of the kernel call (forward/gradient: A is m×k, W/G is k×n; delta: Δ is m×n, W is k×n)")
print("")
print(
    pad("product", 22) + pad("shape", 15) + pad("type", 5) + pad("level", 9)
        + padLeft("µs", 9) + padLeft("GFLOP/s", 9) + padLeft("2 thr µs", 10) + padLeft("naive µs", 10) + padLeft("err/tol", 9))

@MainActor func run<S: BenchScalar>(_ type: S.Type) {
    for (product, m, k, n) in shapes {
        let flops = 2.0 * Double(m * k * n)
        let naive = big ? nil : time(S.self, product, m: m, k: k, n: n, level: nil, pool: nil)
        let reference = Reference<S>(product, m: m, k: k, n: n)
        for level in levels {
            var worst = verify(reference, level: level, pool: nil)
            let single = time(S.self, product, m: m, k: k, n: n, level: level, pool: nil)
            var line = pad(product.name, 22) + pad("\(m)×\(k)×\(n)", 15) + pad(S.typeName, 5) + pad(level.description, 9)
            line += padLeft(format(single, 2), 9) + padLeft(format(flops / single / 1000, 1), 9)
            worst = max(worst, verify(reference, level: level, pool: pool))
            let split = time(S.self, product, m: m, k: k, n: n, level: level, pool: pool)
            line += padLeft(format(split, 2), 10)
            line += padLeft(naive.map { format($0, 2) } ?? "-", 10) + padLeft(format(worst, 3), 9)
            print(line)
        }
    }
}

/// The kernel part of one training step of 784-h-10 in float32 with batches
/// of 10, written out the long way: new inputs copied in, forward through
/// both layers, output error, both weight gradients, the backward delta, and
/// an SGD update of the weights on the calling thread (so a worker has to
/// fetch the new weights and inputs from the caller's cache every step).
/// Activation functions are left out (a plain copy stands in). Returns µs per
/// step. It shows what splitting each product costs; the trainer itself
/// fuses the update into the gradient product and, with two threads, splits
/// the first layer by halves of its inputs instead (its times are `make
/// bench`'s table).
@MainActor func trainingStep(hidden: Int, level: KernelLevel, pool: KernelThreadPool?) -> Double {
    let m = 10, inputs = 784, outputs = 10, samples = 600
    var random = SeededGenerator(state: 11)
    func buffer(_ count: Int, _ value: () -> Float = { 0 }) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        for i in 0..<count { pointer[i] = value() }
        return pointer
    }
    let data = buffer(samples * inputs) { max(0, random.unit()) }
    let w1 = buffer(inputs * hidden) { random.unit() * 0.05 }, g1 = buffer(inputs * hidden)
    let w2 = buffer(hidden * outputs) { random.unit() * 0.1 }, g2 = buffer(hidden * outputs)
    let x = buffer(m * inputs), z1 = buffer(m * hidden), a1 = buffer(m * hidden), d1 = buffer(m * hidden)
    let z2 = buffer(m * outputs), d2 = buffer(m * outputs)
    defer { for p in [data, w1, g1, w2, g2, x, z1, a1, d1, z2, d2] { p.deallocate() } }
    let rate: Float = 1e-4
    func step(_ batch: Int) {
        let offset = (batch % (samples / m)) * m * inputs
        x.update(from: data + offset, count: m * inputs)
        z1.update(repeating: 0, count: m * hidden)
        Kernels.multiplyAdd(x, w1, z1, m: m, k: inputs, n: hidden, level: level, pool: pool)
        for i in 0..<(m * hidden) { a1[i] = z1[i] * 0.5 }
        z2.update(repeating: 0, count: m * outputs)
        Kernels.multiplyAdd(a1, w2, z2, m: m, k: hidden, n: outputs, level: level, pool: pool)
        for i in 0..<(m * outputs) { d2[i] = z2[i] - 0.1 }
        g2.update(repeating: 0, count: hidden * outputs)
        Kernels.multiplyTransposedAAdd(alpha: 1, a1, d2, g2, m: m, k: hidden, n: outputs, level: level, pool: pool)
        Kernels.multiplyTransposedB(d2, w2, d1, m: m, n: outputs, k: hidden, level: level)
        g1.update(repeating: 0, count: inputs * hidden)
        Kernels.multiplyTransposedAAdd(alpha: 1, x, d1, g1, m: m, k: inputs, n: hidden, level: level, pool: pool)
        for i in 0..<(inputs * hidden) { w1[i] -= rate * g1[i] }
        for i in 0..<(hidden * outputs) { w2[i] -= rate * g2[i] }
    }
    let steps = quick ? 2000 : 6000
    var best = Double.infinity
    for _ in 0..<(quick ? 3 : 5) {
        let start = nanoseconds()
        for batch in 0..<steps { step(batch) }
        best = min(best, (nanoseconds() - start) / Double(steps))
    }
    return best / 1000
}

/// Stops the pool and exits, with status 1 after a verification failure.
@MainActor func finish() -> Never {
    pool.shutdown()
    if failures > 0 {
        print("\(failures) verification failure(s)")
        exit(1)
    }
    exit(0)
}

run(Float.self)
if includeDouble { run(Double.self) }
if big { finish() }
print("")
print("training step 784-h-10, f32, m = 10 (kernels + weight update + input copy; µs per step, ×6000 for an epoch):")
let splitting = KernelThreadPool(threads: 2)  // the default threshold, as the trainer would use it
for hidden in [30, 100] {
    for level in levels {
        let one = trainingStep(hidden: hidden, level: level, pool: nil)
        let two = trainingStep(hidden: hidden, level: level, pool: pool)
        let auto = trainingStep(hidden: hidden, level: level, pool: splitting)
        print(
            "  784-\(hidden)-10 \(pad(level.description, 9)) 1 thread \(padLeft(format(one, 2), 6))   2 threads, every product split \(padLeft(format(two, 2), 6))   2 threads, default threshold \(padLeft(format(auto, 2), 6))"
        )
    }
}
splitting.shutdown()
finish()
