/// libFuzzer target: the IDX header reader and the IDX data loader.
/// The property is `FuzzProperty.idx` in
/// Tests/TrainerKitTests/Fuzz/FuzzProperties.swift; build and run with `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.run(.idx, data, size)
}
