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
        public var threads: Int
        public var openBLASCore: String
        public var releaseBuild: Bool
        public var secondsPerBatch: Double
        public var imagesPerSecond: Double
        public var gflopsPerSecond: Double
        public var sgemmGFLOPS: Double
        public var warning: String?
    }

    /// Forward FLOPs of the image tower per image (matrix products, as clip_ref counts).
    public var flopsPerImage: Double {
        let v = config.visionConfig
        let p = Double(v.patchCount), t = p + 1, w = Double(v.width), r = Double(v.mlpRatio)
        let patch = 2 * p * Double(3 * v.patchSize * v.patchSize) * w
        let layer = 2 * t * w * 3 * w + 2 * t * w * w + 2 * 2 * t * w * r * w + 2 * t * t * w * 2
        return patch + Double(v.layers) * layer + 2 * w * Double(config.embedDim)
    }

    /// Runs the measurement.
    public func run(name: String) -> Report {
        let peak = CoreBenchmark.sgemmGFLOPS(runs: 5)
        let model = CLIPModel(config: config, seed: 1)
        model.eval()
        let s = config.visionConfig.imageSize
        let images = Tensor.randomNormal([batch, 3, s, s], rng: RandomGenerator(seed: 2))
        let times = Timing.measure(warmup: warmup, runs: runs) {
            _ = withoutGradients { model.encodeImage(images) }
        }
        let seconds = Timing.median(times)
        return Report(
            model: name, batch: batch, threads: ComputeThreads.count, openBLASCore: BLASInfo.coreName,
            releaseBuild: Timing.isReleaseBuild, secondsPerBatch: seconds, imagesPerSecond: Double(batch) / seconds,
            gflopsPerSecond: flopsPerImage * Double(batch) / seconds / 1e9, sgemmGFLOPS: peak,
            warning: BLASInfo.forcedCoreWarning)
    }

    /// The lines the command prints.
    public func describe(_ r: Report) -> String {
        var lines: [String] = []
        if !r.releaseBuild { lines.append("warning: debug build; measure with `swift build -c release`") }
        if let w = r.warning { lines.append("warning: \(w)") }
        lines.append("threads \(r.threads), OpenBLAS core \(r.openBLASCore), cblas_sgemm 1024³ \(String(format: "%.1f", r.sgemmGFLOPS)) GFLOP/s")
        lines.append(String(
            format: "%@ image encoder forward, batch %d: %.3f s/batch, %.2f images/s, %.1f GFLOP/s (%.0f%% of sgemm peak)",
            r.model, r.batch, r.secondsPerBatch, r.imagesPerSecond, r.gflopsPerSecond, 100 * r.gflopsPerSecond / r.sgemmGFLOPS))
        return lines.joined(separator: "\n")
    }
}
