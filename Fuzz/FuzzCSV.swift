/// libFuzzer target: the CSV reader, the CSV data loader and predict's input loader.
/// The property is `FuzzProperty.csv` in
/// Tests/TrainerKitTests/Fuzz/FuzzProperties.swift; build and run with `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.run(.csv, data, size)
}
