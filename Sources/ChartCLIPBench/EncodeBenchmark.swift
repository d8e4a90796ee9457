import ChartCLIPSupport
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPTensor
import Foundation

/// `chartclip bench encode`: image-encoder forward throughput (no gradients), the
/// measurement of `clip_ref.py --mode vision-fwd`.
public struct EncodeBenchmark {
    /// The model config to measure.
    public var config: CLIPConfig
    /// Images per forward pass.
    public var batch = 8
    /// Measured runs (median reported) and warm-up runs.
    public var runs = 10, warmup = 2

    /// A benchmark of `config`'s image tower.
    public init(config: CLIPConfig) { self.config = config }

    /// The figures.
    public struct Report: Codable, Sendable {
        public var model: String
        public var batch: Int
        public var environment: BenchEnvironment
        public var secondsPerBatch: Double
        public var imagesPerSecond: Double
        public var gflopsPerSecond: Double
        public var sgemmGFLOPS: Double
    }

    /// Forward FLOPs of the image tower per image (matrix products, as clip_ref counts).
    public var flopsPerImage: Double { FLOPCount.imageTower(config) }

    /// Runs the measurement.
    public func run(name: String) -> Report {
        let peak = CoreBenchmark.sgemmGFLOPS(runs: 5)
        let model = CLIPModel(config: config, seed: 1)
        model.eval()
        let s = config.visionConfig.imageSize
        let images = Tensor.randomNormal([batch, 3, s, s], rng: RandomGenerator(seed: 2))
        for _ in 0..<warmup { _ = withoutGradients { model.encodeImage(images) } }
        if OpProfiler.isEnabled { OpProfiler.shared.reset() }
        let times = Timing.measure(warmup: 0, runs: runs) {
            _ = withoutGradients { model.encodeImage(images) }
        }
        if OpProfiler.isEnabled {
            FileHandle.standardError.write(Data("per-op time over \(runs) batches (CHARTCLIP_PROFILE=1):\n\(OpProfiler.shared.table())\n".utf8))
        }
        let seconds = Timing.median(times)
        return Report(
            model: name, batch: batch, environment: .current(), secondsPerBatch: seconds,
            imagesPerSecond: Double(batch) / seconds, gflopsPerSecond: flopsPerImage * Double(batch) / seconds / 1e9,
            sgemmGFLOPS: peak)
    }

    /// The lines the command prints.
    public func describe(_ r: Report) -> String {
        var lines = r.environment.lines(extra: String(format: ", cblas_sgemm 1024³ %.1f GFLOP/s", r.sgemmGFLOPS))
        lines.append(String(
            format: "%@ image encoder forward, batch %d: %.3f s/batch, %.2f images/s, %.1f GFLOP/s (%.0f%% of sgemm peak)",
            r.model, r.batch, r.secondsPerBatch, r.imagesPerSecond, r.gflopsPerSecond, 100 * r.gflopsPerSecond / r.sgemmGFLOPS))
        return lines.joined(separator: "\n")
    }
}
