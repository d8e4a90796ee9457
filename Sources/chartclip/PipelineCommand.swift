import ArgumentParser
import ChartCLIPPipeline
import Foundation

/// `chartclip pipeline`: the whole system end to end (the README's main job).
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Candles → charts → labels → dataset → training → evaluation → predictor → predictions → decisions → feedback replay.")

    @Option(name: .customLong("candles"), parsing: .upToNextOption, help: "Candle CSVs (one symbol each; several may follow one --candles, e.g. a shell glob); none runs on the synthetic market.")
    var candles: [String] = []
    @Option(help: "Output folder.") var out = "pipeline"
    @Option(help: "Model config (clip-tiny for minutes, clip-small for research).") var model = "clip-tiny"
    @Option(help: "Training steps.") var steps = PipelineOptions().steps
    @Option(help: "Synthetic markets (symbols) to generate.") var markets = PipelineOptions().syntheticSymbols
    @Option(help: "Candles per synthetic market.") var bars = PipelineOptions().syntheticBars
    @Option(help: "Candles per chart.") var window: Int?
    @Option(help: "Candles between training charts.") var stride = 4
    @Option(help: "With --candles: steps of pre-training on the synthetic market (--markets, --bars) before training on the candles; 0: none.") var pretrainSteps = 0
    @Option(help: "Symbols held out entirely, scored on their own (comma-separated, e.g. SOLUSDT,XRPUSDT).") var holdoutSymbols: String?
    @Option(help: "Seed.") var seed = 7
    @Flag(help: "No progress bars.") var quiet = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if markets < 1 || markets > 1000 { throw ValidationError("--markets must be between 1 and 1000 (got \(markets))") }
        if bars < 500 { throw ValidationError("--bars must be at least 500 candles per market (got \(bars))") }
        if pretrainSteps < 0 { throw ValidationError("--pretrain-steps must be 0 or more (got \(pretrainSteps))") }
        if pretrainSteps > 0 && candles.isEmpty {
            throw ValidationError("--pretrain-steps pre-trains on the synthetic market before training on recorded candles: give --candles too")
        }
        if let window, window < 8 { throw ValidationError("--window must be at least 8 candles (got \(window))") }
    }

    func run() async throws {
        var options = PipelineOptions()
        options.candleFiles = candles.map { URL(fileURLWithPath: $0) }
        options.output = URL(fileURLWithPath: out)
        options.model = model
        options.steps = steps
        options.syntheticSymbols = markets
        options.syntheticBars = bars
        options.window = window
        options.stride = stride
        options.seed = seed
        options.pretrainSteps = pretrainSteps
        options.holdoutSymbols = (holdoutSymbols ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        options.showProgress = !quiet
        let summary = try await Pipeline.run(options)
        print(String(format: "\nheld-out zero-shot setup type accuracy %.1f%%; setup and direction %.1f%% (balanced %.1f%%); phase %.1f%%",
            100 * summary.testZeroShotSetupTypeAccuracy, 100 * summary.testZeroShotSetupAccuracy,
            100 * summary.testZeroShotSetupBalancedAccuracy, 100 * summary.testZeroShotPhaseAccuracy))
        if let holdout = summary.holdout {
            print(String(format: "held-out symbols (%@): zero-shot setup type %.1f%% (always none %.1f%%); setup and direction %.1f%%; phase %.1f%%",
                summary.holdoutSymbols.joined(separator: ", "), 100 * holdout.setupType, 100 * holdout.noneRate,
                100 * holdout.setupAndDirection, 100 * holdout.phase))
        }
        for b in summary.backtests {
            print("\(b.symbol) walk-forward: enter \(b.withoutCV.enter) without CV (hit rate \(b.withoutCV.enterHitRate.map { String(format: "%.1f%%", 100 * $0) } ?? "-")), "
                + "\(b.withCV.enter) with CV (\(b.withCV.enterHitRate.map { String(format: "%.1f%%", 100 * $0) } ?? "-")), base rate \(b.baseRate.map { String(format: "%.1f%%", 100 * $0) } ?? "-")")
        }
        print("summary: \(URL(fileURLWithPath: out).appendingPathComponent("summary.md").path); report: \(summary.report)")
    }
}
