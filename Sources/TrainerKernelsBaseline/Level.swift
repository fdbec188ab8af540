import TrainerKernelsCore

// The level this target compiles LevelKernels.swift for: x86-64 baseline (SSE2: 4 floats or 2 doubles per vector, no FMA).
typealias FloatVector = FloatX4
typealias DoubleVector = DoubleX2
typealias FloatPolicy = BaselinePolicy
typealias DoublePolicy = BaselinePolicy

/// The kernels instantiated for x86-64 baseline.
public typealias KernelsBaseline = LevelKernels

/// Whether this level converts 64-bit integers to floating point in vectors
/// (AVX-512DQ), which LevelKernels.unitBytes's division-free p/255 needs;
/// elsewhere the compiler converts one value at a time, slower than dividing.
let convertsInt64InVectors = false
