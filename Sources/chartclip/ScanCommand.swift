import ArgumentParser
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip scan`: training data from candle files (or the synthetic market): for every
/// window a chart, its scoring context and its label, appended to `labels.jsonl`.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Render, describe and label every window of candle files into training_data/.",
        discussion: """
            Writes SYMBOL_YYYYMMDD_HHMM_chart.png, _meta.json (window, chart, scoring context) and \
            _label.json per window (stamped with the last candle's UTC close) and appends the \
            label to labels.jsonl. Files are atomic and the label file is written last, so a \
            stopped scan leaves nothing that looks complete; complete samples are never \
            overwritten and a re-run skips them. With --synthetic the candles come from the \
            embedded synthetic market, and charts ending on planted setups record their ground truth.
            Example: chartclip scan --candles ../shared/data/bybit/linear_15m/BTCUSDT_15m.csv \
            --drop-last --window 96 --stride 4 --out training_data/
            Example: chartclip scan --synthetic --bars 5000 --seed 7 --out training_data/
            """)

    @Option(parsing: .upToNextOption, help: "Candle CSV files (one symbol each).")
    var candles: [String] = []

    @Option(help: "Symbol for every file (default: from each file name).")
    var symbol: String?

    @Option(help: "Candle interval in minutes (default: inferred from each file).")
    var interval: Int?

    @Option(help: "Candles per chart.")
    var window: Int = 96

    @Option(help: "Candles between consecutive charts.")
    var stride: Int = 4

    @Option(help: "local (rules, no network) or gpt.")
    var labeler: LabelerKind = .local

    @Option(help: "Training-chart size in pixels (square).")
    var size: Int = 224

    @Option(name: .customLong("mav"), help: "Moving-average period to draw; repeat for several.")
    var movingAverages: [Int] = []

    @OptionGroup var overlays: OverlayOptions

    @Option(help: "Output folder.")
    var out: String = "training_data"

    @Option(help: "Charts prepared at once (use 1 for a GPT server that takes one request at a time).")
    var concurrency: Int = 2

    @Flag(help: "Drop each file's last row (a candle that may still have been forming; recorded Bybit files).")
    var dropLast = false

    @Flag(help: "Use the embedded synthetic market instead of --candles.")
    var synthetic = false

    @Option(help: "Synthetic market: number of candles.")
    var bars: Int = 5000

    @Option(help: "Synthetic market: seed.")
    var seed: UInt64 = 7

    @Flag(help: "Synthetic market: label charts ending on planted setups with their ground truth.")
    var truthLabels = false

    @Flag(help: "Hide the progress bar.")
    var quiet = false

    @OptionGroup var gpt: GPTOptions

    func run() async throws {
        guard synthetic != !candles.isEmpty else {
            throw ValidationError("give --candles FILE... or --synthetic (not both)")
        }
        var options = ScanOptions()
        options.window = window
        options.stride = stride
        options.chartSize = size
        options.movingAverages = movingAverages
        options.overlays = overlays.overlays
        options.concurrency = concurrency
        options.progress = !quiet
        let folder = URL(fileURLWithPath: out)
        if synthetic {
            var settings = SyntheticTrainingData.Options()
            settings.market.bars = bars
            settings.market.seed = seed
            if let symbol { settings.market.symbol = symbol }
            settings.scan = options
            settings.windows = .plantedAndStride(stride)
            settings.labels = truthLabels ? .groundTruth : .local
            let output = try await SyntheticTrainingData.generate(into: folder, options: settings)
            report(output.market.series.symbol, output.summary, folder)
            print("planted setups: \(output.market.setups.count) (ground truth in the meta files of charts ending on them)")
            return
        }
        let chosen: any ChartLabeler
        var gptLabeler: GPTLabeler?
        switch labeler {
        case .local:
            chosen = LocalLabeler()
        case .gpt:
            let config = try gpt.configuration()
            let made = try GPTLabeler(configuration: config)
            if !made.hasAPIKey {
                FileHandle.standardError.write(Data(
                    "note: \(config.apiKeyVariable) is not set; sending no Authorization header\n".utf8))
            }
            gptLabeler = made
            chosen = made
        }
        var failures = 0
        do {
            for file in candles {
                let loaded = try CandleCSV.load(
                    URL(fileURLWithPath: file), symbol: symbol, interval: interval.map { CandleInterval(minutes: $0) },
                    formingCandle: dropLast ? .dropLast : .keep)
                if !loaded.gaps.isEmpty {
                    FileHandle.standardError.write(Data(
                        "note: \(file) has \(loaded.gaps.count) gap(s); charts across a gap show the candles side by side\n".utf8))
                }
                options.source = URL(fileURLWithPath: file).lastPathComponent
                let scanner = try TrainingDataScanner(options: options, labeler: chosen)
                let summary = try await scanner.scan(loaded.series, into: folder)
                report(loaded.series.symbol, summary, folder)
                failures += summary.failures.count
            }
        } catch {
            try? await gptLabeler?.shutdown()
            throw error
        }
        try? await gptLabeler?.shutdown()
        if failures > 0 {
            throw ChartCLIPError(
                "\(failures) chart(s) could not be labelled and were not written", at: folder.path,
                hint: "re-run the same command: complete samples are skipped, the others retried")
        }
    }

    private func report(_ symbol: String, _ summary: ScanSummary, _ folder: URL) {
        print(String(
            format: "%@: wrote %d sample(s), skipped %d complete, %d failed, into %@ in %.1f s", symbol,
            summary.written, summary.skipped, summary.failures.count, folder.path, summary.seconds))
        if !summary.setupCounts.isEmpty {
            let counts = summary.setupCounts.keys.sorted().map { "\($0) \(summary.setupCounts[$0]!)" }
            print("  new labels: " + counts.joined(separator: ", "))
        }
        for failure in summary.failures.prefix(5) {
            FileHandle.standardError.write(Data("  not labelled: \(failure.sample): \(failure.reason)\n".utf8))
        }
    }
}
