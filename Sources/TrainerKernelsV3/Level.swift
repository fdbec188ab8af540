import TrainerKernelsCore

// The level this target compiles LevelKernels.swift for: x86-64-v3 (AVX2 and FMA: 8 floats or 4 doubles per vector; float64 unfused).
typealias FloatVector = FloatX8
typealias DoubleVector = DoubleX4
typealias FloatPolicy = V3Policy
typealias DoublePolicy = Unfused<V3Policy>

/// The kernels instantiated for x86-64-v3.
public typealias KernelsV3 = LevelKernels

/// Whether this level converts 64-bit integers to floating point in vectors
/// (AVX-512DQ), which LevelKernels.unitBytes's division-free p/255 needs;
/// elsewhere the compiler converts one value at a time, slower than dividing.
let convertsInt64InVectors = false
