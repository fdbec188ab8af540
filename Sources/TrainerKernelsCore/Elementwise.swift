/// The element-by-element loops of a training step that run over whole
/// weight matrices once per mini-batch (the gradient's mean, the update), in
/// vectors of `V`. Each element is computed exactly as the scalar expression
/// in its doc comment, so results do not depend on the vector width.
public enum Elementwise<V: KernelVector> {
    public typealias S = V.Scalar

    /// `x[i] = x[i] / d` for `i < count`.
    @inlinable
    public static func divide(_ x: UnsafeMutablePointer<S>, count: Int, by d: S) {
        let w = V.laneCount
        let divisor = V(broadcast: d)
        var i = 0
        while i + w <= count {
            V.load(x + i).divided(by: divisor).store(x + i)
            i += w
        }
        while i < count {
            x[i] = x[i] / d
            i += 1
        }
    }

    /// `w[i] = w[i] − scale·g[i]` for `i < count`, the product rounded before
    /// the subtraction (no FMA), as the delta rule's update is specified.
    @inlinable
    public static func subtractScaled(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, scale: S, count: Int) {
        let lanes = V.laneCount
        let factor = V(broadcast: scale)
        var i = 0
        while i + lanes <= count {
            V.load(w + i).subtracting(factor, times: V.load(g + i)).store(w + i)
            i += lanes
        }
        while i < count {
            let product = scale * g[i]
            w[i] = w[i] - product
            i += 1
        }
    }
}
