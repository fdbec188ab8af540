import Foundation
import Testing
@testable import TrainerKernels

/// The vectorised float32 σ against float64's 1 / (1 + e^−z), rounded to
/// float32: within 4 ulp over [−100, 100], exactly 0 < σ < 1 where float32 can
/// tell, saturated to 1 (never NaN) for large z, the same bits at every CPU
/// level and for a value whether it falls in a full vector or in the tail.
@Suite struct LogisticTests {
    static let inputs: [Float] =
        stride(from: -100.0, through: 100.0, by: 0.0137).map { Float($0) }
        + [
            0, -0.0, 1e-8, -1e-8, 87, -87, 88.7, -88.7, 89, -89, 104, -104, 1000, -1000, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude,
        ]

    static func exact(_ z: Float) -> Float {
        let x = Double(z)
        return Float(x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)))
    }

    @Test func closeToFloat64AtEveryLevel() {
        let z = Self.inputs
        var results: [[Float]] = []
        for level in KernelLevel.supported {
            var a = [Float](repeating: .nan, count: z.count)
            z.withUnsafeBufferPointer { zs in
                a.withUnsafeMutableBufferPointer { Kernels.logistic(zs.baseAddress!, $0.baseAddress!, count: z.count, level: level) }
            }
            var worst: Float = 0
            for i in z.indices {
                let expected = Self.exact(z[i])
                #expect(a[i].isFinite && a[i] >= 0 && a[i] <= 1, "σ(\(z[i])) = \(a[i])")
                let ulps = abs(a[i] - expected) / max(expected.ulp, Float.leastNormalMagnitude)
                worst = max(worst, ulps)
                #expect(ulps <= 4, "\(level): σ(\(z[i])) = \(a[i]), float64 gives \(expected)")
            }
            results.append(a)
        }
        for other in results.dropFirst() { #expect(other == results[0], "every level gives the same bits") }
    }

    /// A value gives the same bits in a vector and in the padded tail.
    @Test func tailEqualsFullVectors() {
        let z: [Float] = (0..<37).map { Float($0) * 0.731 - 13 }
        var whole = [Float](repeating: 0, count: 37), single = [Float](repeating: 0, count: 37)
        z.withUnsafeBufferPointer { zs in
            whole.withUnsafeMutableBufferPointer { Kernels.logistic(zs.baseAddress!, $0.baseAddress!, count: 37) }
            single.withUnsafeMutableBufferPointer { out in
                for i in 0..<37 { Kernels.logistic(zs.baseAddress! + i, out.baseAddress! + i, count: 1) }
            }
        }
        #expect(whole == single)
    }
}
