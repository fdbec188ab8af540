/// One level's compiled kernels for scalar type `S`, as functions with
/// explicit leading dimensions: `(a, lda, b, ldb, c, ldc, m, k, n)` (`m, n,
/// k` for `multiplyTransposedB`). Each level target builds its two tables
/// (LevelKernels.floatTable and .doubleTable); TrainerKernels picks one per
/// call by the CPU's level.
public struct KernelTable<S>: Sendable {
    public typealias Product = @Sendable (UnsafePointer<S>, Int, UnsafePointer<S>, Int, UnsafeMutablePointer<S>, Int, Int, Int, Int) -> Void
    public typealias ScaledProduct =
        @Sendable (S, UnsafePointer<S>, Int, UnsafePointer<S>, Int, UnsafeMutablePointer<S>, Int, Int, Int, Int) -> Void
    /// `(a, lda, b, ldb, w, ldw, scratch, m, k, n, divisor, rate)`.
    public typealias DeltaRuleStep =
        @Sendable (
            UnsafePointer<S>, Int, UnsafePointer<S>, Int, UnsafeMutablePointer<S>, Int, UnsafeMutablePointer<S>, Int, Int, Int, S, S
        ) -> Void

    public let multiplyAdd: Product
    public let multiplyTransposedAAdd: ScaledProduct
    public let multiplyTransposedB: Product
    public let divide: @Sendable (UnsafeMutablePointer<S>, Int, S) -> Void
    public let subtractScaled: @Sendable (UnsafeMutablePointer<S>, UnsafePointer<S>, S, Int) -> Void
    public let deltaRuleStep: DeltaRuleStep
    /// `(delta, scaled, ldd, a, lda, w, ldw, out, ldo, m, n, k)`.
    public let multiplyTransposedBUpdating:
        @Sendable (
            UnsafePointer<S>, UnsafePointer<S>, Int, UnsafePointer<S>, Int, UnsafeMutablePointer<S>, Int, UnsafeMutablePointer<S>, Int,
            Int, Int, Int
        ) -> Void

    public init(
        multiplyAdd: @escaping Product, multiplyTransposedAAdd: @escaping ScaledProduct, multiplyTransposedB: @escaping Product,
        divide: @escaping @Sendable (UnsafeMutablePointer<S>, Int, S) -> Void,
        subtractScaled: @escaping @Sendable (UnsafeMutablePointer<S>, UnsafePointer<S>, S, Int) -> Void,
        deltaRuleStep: @escaping DeltaRuleStep,
        multiplyTransposedBUpdating:
            @escaping @Sendable (
                UnsafePointer<S>, UnsafePointer<S>, Int, UnsafePointer<S>, Int, UnsafeMutablePointer<S>, Int, UnsafeMutablePointer<S>, Int,
                Int, Int, Int
            ) -> Void
    ) {
        self.multiplyAdd = multiplyAdd
        self.multiplyTransposedAAdd = multiplyTransposedAAdd
        self.multiplyTransposedB = multiplyTransposedB
        self.divide = divide
        self.subtractScaled = subtractScaled
        self.deltaRuleStep = deltaRuleStep
        self.multiplyTransposedBUpdating = multiplyTransposedBUpdating
    }
}
