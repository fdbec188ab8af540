/// libFuzzer target: the weights-file reader and its write-read-write round trip.
/// The property is `FuzzProperty.weights` in
/// Tests/TrainerKitTests/Fuzz/FuzzProperties.swift; build and run with `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWeights(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.run(.weights, data, size)
}
