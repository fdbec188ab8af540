/// A short vector of kernel scalars, the unit the fast kernels compute in.
///
/// The wide types wrap the standard `SIMDn` types so each width/scalar pair
/// gets its own concrete conformance (a generic type like `SIMD8` cannot
/// conform twice, for `Float` and for `Double`). Every member is
/// `@inlinable @inline(__always)`: the bodies are compiled in the module that
/// instantiates the kernels, with that module's `-march`, so the same source
/// becomes SSE, AVX2 or AVX-512 code.
///
/// `Float` and `Double` themselves are the one-lane vectors, used for outputs
/// narrower than the narrowest vector.
public protocol KernelVector: BitwiseCopyable {
    associatedtype Scalar: BinaryFloatingPoint
    /// The next narrower vector type, down to the scalar itself (whose
    /// `Narrower` is itself).
    associatedtype Narrower: KernelVector where Narrower.Scalar == Scalar
    static var laneCount: Int { get }
    init(broadcast value: Scalar)
    /// Loads `laneCount` consecutive scalars (no alignment needed).
    static func load(_ pointer: UnsafePointer<Scalar>) -> Self
    /// Stores `laneCount` consecutive scalars (no alignment needed).
    func store(_ pointer: UnsafeMutablePointer<Scalar>)
    /// `self + x·y` lane by lane: one rounding if `fused` (FMA), else two.
    func adding(_ x: Self, times y: Self, fused: Bool) -> Self
    /// `self / d` lane by lane (correctly rounded, like scalar division).
    func divided(by d: Self) -> Self
    /// `self − x·y` lane by lane, rounded twice (never fused).
    func subtracting(_ x: Self, times y: Self) -> Self
    /// The sum of the lanes, added pairwise: halves first (a tree, not the
    /// lanes' order).
    func sum() -> Scalar
}

extension Float: KernelVector {
    public typealias Scalar = Float
    public typealias Narrower = Float
    @inlinable @inline(__always) public static var laneCount: Int { 1 }
    @inlinable @inline(__always) public init(broadcast value: Float) { self = value }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Float>) -> Float { pointer.pointee }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
    @inlinable @inline(__always) public func adding(_ x: Float, times y: Float, fused: Bool) -> Float {
        fused ? addingProduct(x, y) : self + x * y
    }
    @inlinable @inline(__always) public func sum() -> Float { self }
    @inlinable @inline(__always) public func divided(by d: Float) -> Float { self / d }
    @inlinable @inline(__always) public func subtracting(_ x: Float, times y: Float) -> Float {
        let product = x * y
        return self - product
    }
}

extension Double: KernelVector {
    public typealias Scalar = Double
    public typealias Narrower = Double
    @inlinable @inline(__always) public static var laneCount: Int { 1 }
    @inlinable @inline(__always) public init(broadcast value: Double) { self = value }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Double>) -> Double { pointer.pointee }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Double>) { pointer.pointee = self }
    @inlinable @inline(__always) public func adding(_ x: Double, times y: Double, fused: Bool) -> Double {
        fused ? addingProduct(x, y) : self + x * y
    }
    @inlinable @inline(__always) public func sum() -> Double { self }
    @inlinable @inline(__always) public func divided(by d: Double) -> Double { self / d }
    @inlinable @inline(__always) public func subtracting(_ x: Double, times y: Double) -> Double {
        let product = x * y
        return self - product
    }
}

// The wrappers below differ only in their types; keep them in step.

/// 16 floats: one AVX-512 register.
@frozen public struct FloatX16: KernelVector {
    public typealias Scalar = Float
    public typealias Narrower = FloatX8
    public var lanes: SIMD16<Float>
    @inlinable @inline(__always) public init(lanes: SIMD16<Float>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 16 }
    @inlinable @inline(__always) public init(broadcast value: Float) { lanes = SIMD16(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Float>) -> FloatX16 {
        FloatX16(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD16<Float>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: FloatX16, times y: FloatX16, fused: Bool) -> FloatX16 {
        FloatX16(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Float {
        let h8 = lanes.lowHalf + lanes.highHalf
        let h4 = h8.lowHalf + h8.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: FloatX16) -> FloatX16 { FloatX16(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: FloatX16, times y: FloatX16) -> FloatX16 {
        let product = x.lanes * y.lanes
        return FloatX16(lanes: lanes - product)
    }
}

/// 8 floats: one AVX register.
@frozen public struct FloatX8: KernelVector {
    public typealias Scalar = Float
    public typealias Narrower = FloatX4
    public var lanes: SIMD8<Float>
    @inlinable @inline(__always) public init(lanes: SIMD8<Float>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 8 }
    @inlinable @inline(__always) public init(broadcast value: Float) { lanes = SIMD8(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Float>) -> FloatX8 {
        FloatX8(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD8<Float>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: FloatX8, times y: FloatX8, fused: Bool) -> FloatX8 {
        FloatX8(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Float {
        let h4 = lanes.lowHalf + lanes.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: FloatX8) -> FloatX8 { FloatX8(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: FloatX8, times y: FloatX8) -> FloatX8 {
        let product = x.lanes * y.lanes
        return FloatX8(lanes: lanes - product)
    }
}

/// 4 floats: one SSE register.
@frozen public struct FloatX4: KernelVector {
    public typealias Scalar = Float
    public typealias Narrower = Float
    public var lanes: SIMD4<Float>
    @inlinable @inline(__always) public init(lanes: SIMD4<Float>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 4 }
    @inlinable @inline(__always) public init(broadcast value: Float) { lanes = SIMD4(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Float>) -> FloatX4 {
        FloatX4(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Float>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD4<Float>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: FloatX4, times y: FloatX4, fused: Bool) -> FloatX4 {
        FloatX4(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Float {
        let h2 = lanes.lowHalf + lanes.highHalf
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: FloatX4) -> FloatX4 { FloatX4(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: FloatX4, times y: FloatX4) -> FloatX4 {
        let product = x.lanes * y.lanes
        return FloatX4(lanes: lanes - product)
    }
}

/// 8 doubles: one AVX-512 register.
@frozen public struct DoubleX8: KernelVector {
    public typealias Scalar = Double
    public typealias Narrower = DoubleX4
    public var lanes: SIMD8<Double>
    @inlinable @inline(__always) public init(lanes: SIMD8<Double>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 8 }
    @inlinable @inline(__always) public init(broadcast value: Double) { lanes = SIMD8(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Double>) -> DoubleX8 {
        DoubleX8(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Double>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD8<Double>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: DoubleX8, times y: DoubleX8, fused: Bool) -> DoubleX8 {
        DoubleX8(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Double {
        let h4 = lanes.lowHalf + lanes.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: DoubleX8) -> DoubleX8 { DoubleX8(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: DoubleX8, times y: DoubleX8) -> DoubleX8 {
        let product = x.lanes * y.lanes
        return DoubleX8(lanes: lanes - product)
    }
}

/// 4 doubles: one AVX register.
@frozen public struct DoubleX4: KernelVector {
    public typealias Scalar = Double
    public typealias Narrower = DoubleX2
    public var lanes: SIMD4<Double>
    @inlinable @inline(__always) public init(lanes: SIMD4<Double>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 4 }
    @inlinable @inline(__always) public init(broadcast value: Double) { lanes = SIMD4(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Double>) -> DoubleX4 {
        DoubleX4(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD4<Double>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: DoubleX4, times y: DoubleX4, fused: Bool) -> DoubleX4 {
        DoubleX4(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Double {
        let h2 = lanes.lowHalf + lanes.highHalf
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: DoubleX4) -> DoubleX4 { DoubleX4(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: DoubleX4, times y: DoubleX4) -> DoubleX4 {
        let product = x.lanes * y.lanes
        return DoubleX4(lanes: lanes - product)
    }
}

/// 2 doubles: one SSE register.
@frozen public struct DoubleX2: KernelVector {
    public typealias Scalar = Double
    public typealias Narrower = Double
    public var lanes: SIMD2<Double>
    @inlinable @inline(__always) public init(lanes: SIMD2<Double>) { self.lanes = lanes }
    @inlinable @inline(__always) public static var laneCount: Int { 2 }
    @inlinable @inline(__always) public init(broadcast value: Double) { lanes = SIMD2(repeating: value) }
    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Double>) -> DoubleX2 {
        DoubleX2(lanes: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD2<Double>.self))
    }
    @inlinable @inline(__always) public func store(_ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD2<Double>.self)
    }
    @inlinable @inline(__always) public func adding(_ x: DoubleX2, times y: DoubleX2, fused: Bool) -> DoubleX2 {
        DoubleX2(lanes: fused ? lanes.addingProduct(x.lanes, y.lanes) : lanes + x.lanes * y.lanes)
    }
    @inlinable @inline(__always) public func sum() -> Double {
        let h2 = lanes
        return h2[0] + h2[1]
    }
    @inlinable @inline(__always) public func divided(by d: DoubleX2) -> DoubleX2 { DoubleX2(lanes: lanes / d.lanes) }
    @inlinable @inline(__always) public func subtracting(_ x: DoubleX2, times y: DoubleX2) -> DoubleX2 {
        let product = x.lanes * y.lanes
        return DoubleX2(lanes: lanes - product)
    }
}
