import ChartCLIPSupport
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation

/// `chartclip bench train`: training throughput (forward + backward + AdamW) on one fixed
/// random batch, the measurement `clip_ref.py --mode train` makes: random images, token rows
/// of random length with start token V−2 and end token V−1, AdamW lr 5e-4, betas
/// (0.9, 0.98), eps 1e-6, weight decay 0.1 on matrices.
public struct TrainBenchmark {
    /// The model config.
    public var config: CLIPConfig
    /// Pairs per step.
    public var batch = 64
    /// Measured steps (median reported) and warm-up steps.
    public var steps = 20, warmup = 3

    /// A benchmark of `config`.
    public init(config: CLIPConfig) { self.config = config }

    /// The figures.
    public struct Report: Codable, Sendable {
        public var model: String
        public var batch: Int
        public var environment: BenchEnvironment
        public var stepSecondsMedian: Double
        public var imagesPerSecond: Double
        public var gflopsPerSecond: Double
        public var lossFirst: Float
        public var lossLast: Float
    }

    /// FLOPs of one training step, counted as clip_ref.py counts them (3 × forward).
    public var flopsPerStep: Double { FLOPCount.trainingStep(config, batch: batch) }

    /// A random batch like clip_ref.py's `make_batch`.
    public func randomBatch(seed: UInt64) -> TrainingBatch {
        let rng = RandomGenerator(seed: seed)
        let s = config.visionConfig.imageSize, t = config.textConfig.contextLength, v = config.textConfig.vocabSize
        let images = Tensor.randomNormal([batch, 3, s, s], rng: rng)
        var ids = [Int](repeating: 0, count: batch * t)
        var ends: [Int] = []
        for row in 0..<batch {
            let length = 2 + rng.integer(below: t - 1)  // 2...t, start and end included
            ids[row * t] = v - 2
            for i in 1..<(length - 1) { ids[row * t + i] = 1 + rng.integer(below: v - 3) }
            ids[row * t + length - 1] = v - 1
            ends.append(length - 1)
        }
        return TrainingBatch(images: images, tokenIDs: ids, endIndices: ends, groups: Array(0..<batch))
    }

    /// Runs the measurement.
    public func run(name: String) throws -> Report {
        let model = CLIPModel(config: config, seed: 0)
        let trainer = ContrastiveTrainer(model: model, settings: AdamW.Settings(), schedule: .constant(rate: 5e-4))
        let data = randomBatch(seed: 1)
        var losses: [Float] = []
        var failure: Error?
        for _ in 0..<warmup {
            do { losses.append(try trainer.trainStep(data).loss) } catch { failure = error }
        }
        if OpProfiler.isEnabled { OpProfiler.shared.reset() }
        let times = Timing.measure(warmup: 0, runs: steps) {
            do { losses.append(try trainer.trainStep(data).loss) } catch { failure = error }
        }
        if OpProfiler.isEnabled {
            FileHandle.standardError.write(Data("per-op time over \(steps) steps (CHARTCLIP_PROFILE=1):\n\(OpProfiler.shared.table())\n".utf8))
        }
        if let failure { throw failure }
        let seconds = Timing.median(times)
        return Report(
            model: name, batch: batch, environment: .current(), stepSecondsMedian: seconds,
            imagesPerSecond: Double(batch) / seconds, gflopsPerSecond: flopsPerStep / seconds / 1e9,
            lossFirst: losses.first ?? .nan, lossLast: losses.last ?? .nan)
    }

    /// The lines the command prints.
    public func describe(_ r: Report) -> String {
        var lines = r.environment.lines()
        lines.append(String(
            format: "%@ train b%d: median %.1f ms/step, %.1f images/s, %.1f GFLOP/s, loss %.4f -> %.4f",
            r.model, r.batch, r.stepSecondsMedian * 1e3, r.imagesPerSecond, r.gflopsPerSecond, r.lossFirst, r.lossLast))
        return lines.joined(separator: "\n")
    }
}
