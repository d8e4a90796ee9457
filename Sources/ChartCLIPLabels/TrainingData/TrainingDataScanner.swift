import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// What `TrainingDataScanner` renders and how.
public struct ScanOptions: Sendable, Equatable {
    /// Candles per chart.
    public var window = 96
    /// Candles between the ends of consecutive charts.
    public var stride = 4
    /// Training-chart size in pixels (square; 224 for ViT-B/16).
    public var chartSize = 224
    /// Moving averages drawn on the charts.
    public var movingAverages: [Int] = []
    /// What the setup rules read, drawn on the charts from each window's own candles.
    public var overlays = ChartOverlays.none
    /// Charts prepared at once (rendering and labelling run in parallel, files are committed
    /// in window order). 1 for a GPT server that allows one request at a time.
    public var concurrency = 2
    /// Stop after this many charts in a row failed to be labelled (a server that is down).
    public var maxConsecutiveFailures = 5
    /// Show a progress bar on standard error.
    public var progress = true
    /// Where the candles came from, recorded in every meta file.
    public var source = ""

    /// The defaults: 96-candle windows every 4 candles, 224-pixel charts.
    public init() {}
}

/// What a scan did.
public struct ScanSummary: Sendable, Equatable {
    /// Samples written by this run.
    public var written = 0
    /// Complete samples that existed already and were left alone.
    public var skipped = 0
    /// Windows whose labelling failed (nothing written for them), with the reason.
    public var failures: [(sample: String, reason: String)] = []
    /// The label of every sample written by this run, by setup and direction (`breakout/up`).
    public var setupCounts: [String: Int] = [:]
    /// Seconds spent.
    public var seconds = 0.0

    /// Equal counts and failures.
    public static func == (a: Self, b: Self) -> Bool {
        a.written == b.written && a.skipped == b.skipped && a.setupCounts == b.setupCounts
            && a.failures.map(\.sample) == b.failures.map(\.sample)
    }
}

/// `chartclip scan`: renders every window of a series as a training chart, computes its
/// scoring context, labels it and writes the sample into `training_data/`.
///
/// Crash safety: each file is written atomically (temporary file, fsync, rename), in the order
/// chart, meta, label; the label file marks the sample complete and is followed by the line in
/// `labels.jsonl`. A run stopped at any moment leaves complete samples and at most one sample
/// without a label file, which every reader treats as incomplete and the next scan redoes.
/// Complete samples are never overwritten: a re-run skips them (and adds a journal line that a
/// crash may have cost). A window whose labelling fails writes nothing.
public struct TrainingDataScanner: Sendable {
    /// The options.
    public let options: ScanOptions
    /// The labeler.
    public let labeler: any ChartLabeler
    private let renderer: CandlestickRenderer

    /// A scanner; throws when the options cannot work.
    public init(options: ScanOptions = ScanOptions(), labeler: any ChartLabeler = LocalLabeler()) throws {
        guard options.window >= 2, options.stride >= 1, options.concurrency >= 1 else {
            throw ChartCLIPError(
                "window must be at least 2 candles, stride and concurrency at least 1; got \(options.window), "
                    + "\(options.stride), \(options.concurrency)", hint: "e.g. --window 96 --stride 4")
        }
        self.options = options
        self.labeler = labeler
        renderer = try CandlestickRenderer(
            options: .training(
                size: options.chartSize, movingAverages: options.movingAverages, overlays: options.overlays))
    }

    /// The windows of a series of `count` candles: the last ends at the newest candle, earlier
    /// ones step back by `stride` (the same windows as `chartclip render`).
    public func windows(count: Int) -> [Range<Int>] {
        guard count >= options.window else { return [] }
        let last = count - options.window
        return Swift.stride(from: last % options.stride, through: last, by: options.stride).map {
            $0..<($0 + options.window)
        }
    }

    /// Scans `series` into `folder`: every window of `windows` (by default `windows(count:)`),
    /// with the synthetic market's planted labels, keyed by the bar they complete on, recorded
    /// in the meta files of charts ending on them.
    public func scan(
        _ series: CandleSeries, into folder: URL, windows selected: [Range<Int>]? = nil,
        groundTruth: [Int: ChartLabel] = [:]
    ) async throws -> ScanSummary {
        let started = DispatchTime.now().uptimeNanoseconds
        let ranges = selected ?? windows(count: series.candles.count)
        guard !ranges.isEmpty else {
            throw ChartCLIPError(
                "\(series.symbol) has \(series.candles.count) candles, fewer than one window of \(options.window)",
                hint: "use more history or a smaller --window")
        }
        if let bad = ranges.first(where: { $0.lowerBound < 0 || $0.upperBound > series.candles.count || $0.count < 2 }) {
            throw ChartCLIPError("window \(bad) is outside the \(series.candles.count) candles of \(series.symbol)")
        }
        try AtomicFile.createDirectory(folder)
        let journal = try LabelsJournal(folder: folder)
        // Sample names carry symbol and close time only: 15m and 1h charts of one symbol
        // would share names at every full hour, and the second would be skipped as existing.
        let interval = series.interval.description
        if let other = journal.intervals(of: series.symbol).subtracting([interval]).sorted().first {
            throw ChartCLIPError(
                "this folder holds \(series.symbol) charts of \(other) candles; these are \(interval), and their file "
                    + "names would collide", at: folder.path, hint: "scan each interval into its own folder")
        }
        AtomicFile.removeStaleTemporaries(in: folder)  // a scan killed mid-write
        try TrainingDataSettings(options).claim(folder)
        var summary = ScanSummary()
        let bar = ProgressBar(total: ranges.count, label: "scan \(series.symbol)", enabled: options.progress)
        var done = 0
        var consecutiveFailures = 0
        var pending: [Range<Int>] = []
        for (k, window) in ranges.enumerated() {
            let name = sampleName(series, window)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(name.labelFile).path) {
                try repairJournal(journal, folder: folder, name: name)
                summary.skipped += 1
                done += 1
            } else {
                pending.append(window)
            }
            guard pending.count == options.concurrency || (k == ranges.count - 1 && !pending.isEmpty) else {
                bar.update(done)
                continue
            }
            let prepared = await prepare(series, pending, groundTruth: groundTruth)
            pending.removeAll()
            for item in prepared {
                done += 1
                switch item {
                case .success(let sample):
                    try commit(sample, into: folder, journal: journal)
                    summary.written += 1
                    summary.setupCounts[sample.record.label.match.description, default: 0] += 1
                    consecutiveFailures = 0
                case .failure(let failure):
                    summary.failures.append((failure.sample, failure.reason))
                    consecutiveFailures += 1
                    if consecutiveFailures >= options.maxConsecutiveFailures {
                        throw ChartCLIPError(
                            "\(consecutiveFailures) charts in a row could not be labelled; last: \(failure.reason)",
                            at: folder.path, hint: "fix the cause and re-run: complete samples are kept and skipped")
                    }
                }
            }
            bar.update(done, "\(summary.written) new")
        }
        bar.update(ranges.count, "\(summary.written) new")
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return summary
    }

    // MARK: One sample

    /// A sample ready to be written.
    struct PreparedSample: Sendable {
        var name: TrainingSampleName
        var png: Data
        var meta: Data
        var record: TrainingSampleLabel
    }

    /// A window whose labelling failed.
    struct Failure: Error {
        var sample: String
        var reason: String
    }

    func sampleName(_ series: CandleSeries, _ window: Range<Int>) -> TrainingSampleName {
        TrainingSampleName(symbol: series.symbol, closeTimeMs: series.closeTime(at: window.upperBound - 1))
    }

    /// Renders, describes and labels `windows` in parallel; results in window order.
    func prepare(
        _ series: CandleSeries, _ windows: [Range<Int>], groundTruth: [Int: ChartLabel]
    ) async -> [Result<PreparedSample, Failure>] {
        await withTaskGroup(of: (Int, Result<PreparedSample, Failure>).self) { group in
            for (k, window) in windows.enumerated() {
                group.addTask {
                    let name = sampleName(series, window)
                    do {
                        return (k, .success(try await prepare(series, window, name: name, truth: groundTruth[window.upperBound - 1])))
                    } catch {
                        return (k, .failure(Failure(sample: name.id, reason: "\(error)")))
                    }
                }
            }
            var results = [Result<PreparedSample, Failure>?](repeating: nil, count: windows.count)
            for await (k, result) in group { results[k] = result }
            return results.map { $0! }
        }
    }

    func prepare(
        _ series: CandleSeries, _ window: Range<Int>, name: TrainingSampleName, truth: ChartLabel?
    ) async throws -> PreparedSample {
        let candles = Array(series.candles[window])
        let image = try renderer.render(series, window: window)
        let png = try PNGCodec.encode(image, compression: .fast)
        let context = try ScoringContext(candles: candles, symbol: series.symbol, interval: series.interval)
        let label = try await labeler.label(LabelRequest(candles: candles, context: context, chartPNG: png))
        try label.validate(at: name.id)
        let overlays = options.overlays
        let meta = TrainingSampleMeta(
            sample: name.id, symbol: series.symbol, interval: series.interval.description, window: window.count,
            windowStartMs: candles[0].startTime, closeTimeMs: context.closeTimeMs,
            windowStart: UTCTime.iso(milliseconds: candles[0].startTime), closeTime: context.closeTime,
            chart: name.chartFile, chartSize: options.chartSize, movingAverages: options.movingAverages,
            exponentialAverages: overlays.exponentialAverages.isEmpty ? nil : overlays.exponentialAverages,
            channel: overlays.channel, adx: overlays.adx, volumeLine: overlays.volumeLine,
            adxLevels: overlays.adxLevels.isEmpty ? nil : overlays.adxLevels,
            volumeHighlight: overlays.volumeHighlight ? true : nil, brokenLevels: overlays.brokenLevels ? true : nil,
            source: options.source, features: context, groundTruth: truth)
        let record = TrainingSampleLabel(
            name: name, closeTimeMs: context.closeTimeMs, interval: series.interval.description, label: label,
            labeler: labeler.name)
        return PreparedSample(name: name, png: png, meta: try LabelJSON.pretty(meta), record: record)
    }

    /// Writes chart, meta and label (the commit marker) atomically, then the journal line.
    func commit(_ sample: PreparedSample, into folder: URL, journal: LabelsJournal) throws {
        try AtomicFile.write(sample.png, to: folder.appendingPathComponent(sample.name.chartFile))
        try AtomicFile.write(sample.meta, to: folder.appendingPathComponent(sample.name.metaFile))
        try AtomicFile.write(try LabelJSON.pretty(sample.record), to: folder.appendingPathComponent(sample.name.labelFile))
        try journal.appendIfMissing(sample.record)
    }

    /// Adds the journal line of a complete sample that a crash kept out of the journal.
    func repairJournal(_ journal: LabelsJournal, folder: URL, name: TrainingSampleName) throws {
        guard !journal.contains(name.id) else { return }
        let url = folder.appendingPathComponent(name.labelFile)
        guard let data = try? Data(contentsOf: url),
            let record = try? JSONDecoder().decode(TrainingSampleLabel.self, from: data)
        else { return }  // An unreadable label file is prepare-dataset's to report.
        try journal.appendIfMissing(record)
    }
}
