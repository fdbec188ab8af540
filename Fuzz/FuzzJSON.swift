/// libFuzzer target: the JSON reader, the config decoder and `trainer check`.
/// The property is `FuzzProperty.json` in
/// Tests/TrainerKitTests/Fuzz/FuzzProperties.swift; build and run with `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.run(.json, data, size)
}
