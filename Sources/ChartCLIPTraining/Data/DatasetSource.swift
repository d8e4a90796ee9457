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
        if let recorded = config.recorded {
            return try await prepareRecorded(recorded, imageSize: imageSize, cacheRoot: cacheRoot, progress: progress)
        }
        guard let synthetic = config.synthetic else {
            throw ChartCLIPError("the config has neither dataset nor synthetic", hint: "add `dataset: vision_dataset/` or a `synthetic:` section")
        }
        return try await prepareSynthetic(synthetic, imageSize: imageSize, cacheRoot: cacheRoot, progress: progress)
    }

    /// Scans recorded candle files into charts (local labels) and prepares the dataset, cached
    /// by the files and settings.
    public static func prepareRecorded(_ r: RecordedDataConfig, imageSize: Int, cacheRoot: URL, progress: Bool) async throws -> VisionDataset {
        let files = try r.resolvedFiles()
        let names = files.map { $0.deletingPathExtension().lastPathComponent }.joined(separator: "-")
        let key = "\(names)_w\(r.window)_st\(r.stride)_px\(imageSize)\(r.chart.overlays.key)_h\(r.holdoutSymbols.joined(separator: "-"))_v\(r.valFraction)_t\(r.testFraction)"
        let folder = CacheFolder(cacheRoot: cacheRoot, kind: "recorded", key: key)
        // The last row of a recorded file may be a candle that had not closed.
        let load = { try files.map { try CandleCSV.load($0, formingCandle: .dropLast).series } }
        return try await folder.dataset(window: r.window, series: load, progress: progress) { trainingData, dataset in
            var scan = ScanOptions()
            r.chart.apply(to: &scan)
            scan.stride = r.stride
            scan.chartSize = imageSize
            scan.progress = progress
            let scanner = try TrainingDataScanner(options: scan, labeler: LocalLabeler())
            for series in try load() { _ = try await scanner.scan(series, into: trainingData) }
            let split = try TimeSplit(valFraction: r.valFraction, testFraction: r.testFraction, holdoutSymbols: Set(r.holdoutSymbols))
            _ = try DatasetPreparation.prepare(input: trainingData, output: dataset, options: DatasetPreparation.Options(split: split))
        }
    }

    /// Generates (or reuses) the synthetic dataset: one seeded market per symbol, charts
    /// ending on every planted setup and every `stride` candles, local labels, time splits
    /// with an embargo.
    public static func prepareSynthetic(_ s: SyntheticDataConfig, imageSize: Int, cacheRoot: URL, progress: Bool) async throws -> VisionDataset {
        let extra = s.trainingSymbols.isEmpty ? "" : "_tr\(s.trainingSymbols.joined(separator: "-"))"
        let key = "\(s.symbols.joined(separator: "-"))\(extra)_b\(s.bars)_s\(s.seed)_w\(s.window)_st\(s.stride)_px\(imageSize)\(s.chart.overlays.key)_v\(s.valFraction)_t\(s.testFraction)"
        let markets = (s.symbols + s.trainingSymbols).enumerated().map { i, symbol in
            var market = SyntheticMarket.Configuration()
            market.symbol = symbol
            market.bars = s.bars
            market.seed = UInt64(s.seed + i)
            return market
        }
        let series = { markets.map { SyntheticMarket.generate($0).series } }
        let folder = CacheFolder(cacheRoot: cacheRoot, kind: "synthetic", key: key)
        return try await folder.dataset(window: s.window, series: series, progress: progress) { trainingData, dataset in
            for market in markets {
                var options = SyntheticTrainingData.Options()
                options.market = market
                s.chart.apply(to: &options.scan)
                options.scan.chartSize = imageSize
                options.scan.progress = progress
                options.windows = .plantedAndStride(s.stride)
                _ = try await SyntheticTrainingData.generate(into: trainingData, options: options)
            }
            var prep = DatasetPreparation.Options(split: try TimeSplit(
                valFraction: s.valFraction, testFraction: s.testFraction, trainingSymbols: Set(s.trainingSymbols)))
            prep.linkImages = true
            _ = try DatasetPreparation.prepare(input: trainingData, output: dataset, options: prep)
        }
    }

    /// A generated dataset's place in the cache: `cacheRoot/kind/NAME/training_data` and
    /// `…/vision_dataset`, NAME being the key of everything that shapes the data (cut and
    /// ended by its hash when long, `StableHash.folderName`).
    struct CacheFolder {
        let key: String
        let trainingDataFolder: URL
        let datasetFolder: URL
        /// `cache_key.txt`: the whole key, which a folder name over 200 bytes cuts short.
        let keyFile: URL

        init(cacheRoot: URL, kind: String, key: String) {
            let root = cacheRoot.appendingPathComponent(kind).appendingPathComponent(StableHash.folderName(key))
            self.key = key
            trainingDataFolder = root.appendingPathComponent("training_data")
            datasetFolder = root.appendingPathComponent("vision_dataset")
            keyFile = root.appendingPathComponent("cache_key.txt")
        }

        /// The dataset an earlier run prepared here; otherwise the folder is made, its key
        /// written (so a hashed name still says what it holds), and `build` fills
        /// `training_data/` and `vision_dataset/` before the dataset is loaded. A dataset
        /// without its `sharpness.csv` (new, or prepared before datasets had one), or whose file
        /// does not yet name the deciding thresholds and bar counts, gets it from the candles of `series`, the
        /// `window`-candle windows its charts were drawn from.
        func dataset(
            window: Int, series: () throws -> [CandleSeries], progress: Bool,
            build: (_ trainingData: URL, _ dataset: URL) async throws -> Void
        ) async throws -> VisionDataset {
            if !FileManager.default.fileExists(atPath: datasetFolder.appendingPathComponent(VisionDataset.csvName).path) {
                try AtomicFile.createDirectory(keyFile.deletingLastPathComponent())
                try AtomicFile.write(key + "\n", to: keyFile)
                try await build(trainingDataFolder, datasetFolder)
            }
            let dataset = try VisionDataset.load(datasetFolder)
            // Measured again when the file predates the deciding_at_ or deciding_bar_counts
            // columns, too.
            let own = try ChartSharpness.ofDataset(at: datasetFolder)
            if !(own?.hasDecidingThresholds ?? false) || !(own?.hasDecidingBarCounts ?? false) {
                try ChartSharpness.write(for: dataset, series: try series(), window: window, progress: progress)
            }
            return dataset
        }
    }
}
