import TrainerKernelsCore

// The level this target compiles LevelKernels.swift for: x86-64-v4 (AVX-512: 16 floats or 8 doubles per vector; float64 unfused).
typealias FloatVector = FloatX16
typealias DoubleVector = DoubleX8
typealias FloatPolicy = V4Policy
typealias DoublePolicy = Unfused<V4Policy>

/// The kernels instantiated for x86-64-v4.
public typealias KernelsV4 = LevelKernels

/// Whether this level converts 64-bit integers to floating point in vectors
/// (AVX-512DQ), which LevelKernels.unitBytes's division-free p/255 needs;
/// elsewhere the compiler converts one value at a time, slower than dividing.
let convertsInt64InVectors = true
