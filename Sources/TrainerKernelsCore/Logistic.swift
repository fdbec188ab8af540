/// The logistic function σ(z) = 1 / (1 + e^−z) on vectors of float32, for
/// the float32 fast path (float64 keeps libm's exp, so its numbers stay the
/// teaching examples').
///
/// e^x for x = −|z| ≤ 0 in the manner of Cephes' expf: x = n·ln 2 + r with n
/// = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 split in two parts so that r is
/// exact), e^r by its degree-7 Taylor-like minimax polynomial, 2^n put into
/// the exponent bits. Then σ(z) = 1 / (1 + e^−z) for z ≥ 0 and e^z / (1 + e^z)
/// for z < 0, which never overflows. Accurate to a few ulp (tested against
/// float64 over [−100, 100]); every lane and every vector width gives the
/// same bits, so results do not depend on the CPU level.
public protocol LogisticVector: KernelVector where Scalar == Float {
    func logistic() -> Self
}

public enum Logistic {
    public static let log2e: Float = 1.44269504088896341
    public static let ln2High: Float = 0.693359375
    public static let ln2Low: Float = -2.12194440e-4
    /// Below this e^x is under float32's smallest normal; σ is then 0 or 1.
    public static let lowest: Float = -87.0

    /// 1.5·2²³: adding it to |v| < 2²² leaves round(v) in the low mantissa
    /// bits (the hardware rounds to nearest even), with no conversion.
    public static let magic: Float = 12_582_912
    public static let magicBits: Int32 = 0x4B40_0000

    /// σ on a vector, with `bits`/`fromBits` reinterpreting lanes between
    /// Float and Int32 (free). Only lane arithmetic and integer bit
    /// operations, which compile to vector instructions; selects are masks
    /// made from sign bits (the standard library's `rounded`, conversions
    /// and `replacing(with:where:)` on SIMD types go lane by lane, slower
    /// than libm's scalar expf).
    @inlinable @inline(__always)
    public static func lanes<F: SIMD, I: SIMD>(_ z: F, bits: (F) -> I, fromBits: (I) -> F) -> F
    where F.Scalar == Float, I.Scalar == Int32 {
        let one = F(repeating: 1)
        let zBits = bits(z)
        var x = fromBits(zBits | I(repeating: Int32.min))  // −|z|: the sign bit set
        // x < lowest (its difference negative: all ones) → lowest.
        let below = bits(x - lowest) &>> 31
        x = fromBits((bits(x) & ~below) | (bits(F(repeating: lowest)) & below))
        let t = x * log2e + magic
        let n = t - magic  // round(x / ln 2)
        var r = x - n * ln2High
        r = r - n * ln2Low
        let r2 = r * r
        var p = F(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r2 + r + one
        let scale = fromBits((bits(t) &- magicBits &+ 127) &<< 23)  // 2^n
        let e = p * scale  // e^(−|z|), in (0, 1]
        // z's sign bit set (all ones) → e, else 1: e^z / (1 + e^z) or 1 / (1 + e^−z).
        let negative = zBits &>> 31
        let numerator = fromBits((bits(one) & ~negative) | (bits(e) & negative))
        return numerator / (one + e)
    }
}

extension FloatX16: LogisticVector {
    @inlinable @inline(__always) public func logistic() -> FloatX16 {
        FloatX16(
            lanes: Logistic.lanes(
                lanes, bits: { unsafeBitCast($0, to: SIMD16<Int32>.self) }, fromBits: { unsafeBitCast($0, to: SIMD16<Float>.self) }))
    }
}

extension FloatX8: LogisticVector {
    @inlinable @inline(__always) public func logistic() -> FloatX8 {
        FloatX8(
            lanes: Logistic.lanes(
                lanes, bits: { unsafeBitCast($0, to: SIMD8<Int32>.self) }, fromBits: { unsafeBitCast($0, to: SIMD8<Float>.self) }))
    }
}

extension FloatX4: LogisticVector {
    @inlinable @inline(__always) public func logistic() -> FloatX4 {
        FloatX4(
            lanes: Logistic.lanes(
                lanes, bits: { unsafeBitCast($0, to: SIMD4<Int32>.self) }, fromBits: { unsafeBitCast($0, to: SIMD4<Float>.self) }))
    }
}

extension Elementwise where V: LogisticVector {
    /// `a[i] = σ(z[i])` for `i < count`; a tail shorter than a vector is
    /// computed in a padded vector, so it gets the same bits as full ones.
    @inlinable
    public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        let w = V.laneCount
        var i = 0
        while i + w <= count {
            V.load(z + i).logistic().store(a + i)
            i += w
        }
        if i < count {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: w) { buffer in
                let scratch = buffer.baseAddress!
                for j in 0..<w { scratch[j] = i + j < count ? z[i + j] : 0 }
                V.load(scratch).logistic().store(scratch)
                for j in 0..<(count - i) { a[i + j] = scratch[j] }
            }
        }
    }
}
