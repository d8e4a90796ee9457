import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Where a run's pairs come from: a prepared dataset, or the synthetic market generated on
/// the spot (and cached, since generation is deterministic).
public enum DatasetSource {
    /// Loads `config.dataset`, or generates and prepares the synthetic dataset of
    /// `config.synthetic` under `cacheRoot` with charts of `imageSize` pixels.
    public static func load(_ config: ExperimentConfig, imageSize: Int, cacheRoot: URL, progress: Bool) async throws -> VisionDataset {
        if let path = config.dataset { return try VisionDataset.load(URL(fileURLWithPath: path)) }
        guard let synthetic = config.synthetic else {
            throw ChartCLIPError("the config has neither dataset nor synthetic", hint: "add `dataset: vision_dataset/` or a `synthetic:` section")
        }
        return try await prepareSynthetic(synthetic, imageSize: imageSize, cacheRoot: cacheRoot, progress: progress)
    }

    /// Generates (or reuses) the synthetic dataset: one seeded market per symbol, charts
    /// ending on every planted setup and every `stride` candles, local labels, time splits
    /// with an embargo.
    public static func prepareSynthetic(_ s: SyntheticDataConfig, imageSize: Int, cacheRoot: URL, progress: Bool) async throws -> VisionDataset {
        let key = "\(s.symbols.joined(separator: "-"))_b\(s.bars)_s\(s.seed)_w\(s.window)_st\(s.stride)_px\(imageSize)_v\(s.valFraction)_t\(s.testFraction)"
        let root = cacheRoot.appendingPathComponent("synthetic").appendingPathComponent(key)
        let trainingData = root.appendingPathComponent("training_data")
        let datasetDir = root.appendingPathComponent("vision_dataset")
        let csv = datasetDir.appendingPathComponent(VisionDataset.csvName)
        if FileManager.default.fileExists(atPath: csv.path) { return try VisionDataset.load(datasetDir) }
        for (i, symbol) in s.symbols.enumerated() {
            var options = SyntheticTrainingData.Options()
            options.market.symbol = symbol
            options.market.bars = s.bars
            options.market.seed = UInt64(s.seed + i)
            options.scan.window = s.window
            options.scan.chartSize = imageSize
            options.scan.progress = progress
            options.windows = .plantedAndStride(s.stride)
            _ = try await SyntheticTrainingData.generate(into: trainingData, options: options)
        }
        var prep = DatasetPreparation.Options(split: try TimeSplit(valFraction: s.valFraction, testFraction: s.testFraction))
        prep.linkImages = true
        _ = try DatasetPreparation.prepare(input: trainingData, output: datasetDir, options: prep)
        return try VisionDataset.load(datasetDir)
    }
}
