import Foundation
import Testing
@testable import TrainerKit

/// A 1,000-image slice of MNIST, trained end to end in-process: the seeds'
/// 784-30-10 sigmoid network (SSE, learning rate 3.0, batch 10, float32, seed
/// 1) for 5 epochs reaches 83.5 % on the first 1,000 test images in a
/// release build (measured; `trainer run` of the same config). The test asks
/// for 78 %: well above chance (10 %) and above what one epoch gives (69 %),
/// with room for the kernels' rounding differing between CPU levels. It
/// needs MNIST (see ``mnistDirectory``); without it `swift test` reports it
/// skipped, with the reason, rather than passing silently.
@Suite struct MNISTSliceTests {
    @Test(.enabled(if: mnistDirectory != nil, mnistSkipReason))
    func thousandImagesLearnTheDigits() throws {
        let mnist = try #require(mnistDirectory) + "/"
        let directory = TemporaryDirectory()
        let config = directory.write(
            "slice.json",
            """
            {"network": {"layers": [784, 30, 10], "activation": "sigmoid"},
             "training": {"loss": "sse", "learning_rate": 3.0, "epochs": 5, "batch_size": 10, "seed": 1, "precision": "float32"},
             "data": {"train": {"idx_images": "\(mnist)train-images-idx3-ubyte", "idx_labels": "\(mnist)train-labels-idx1-ubyte", "limit": 1000},
                      "test": {"idx_images": "\(mnist)t10k-images-idx3-ubyte", "idx_labels": "\(mnist)t10k-labels-idx1-ubyte", "limit": 1000}}}
            """)
        let result = runCLI(["run", config, "--quiet", "--log", directory.file("log.csv"), "--weights-out", directory.file("w.json")])
        try #require(result.code == 0, "\(result.stderr)")
        let rows = (directory.read("log.csv") ?? "").split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds"])
        let accuracy = try #require(rows.last.flatMap { Double($0[4]) })
        #expect(rows.count == 6)
        #expect(accuracy >= 0.78, "test accuracy after 5 epochs on 1,000 images: \(accuracy)")
    }
}
