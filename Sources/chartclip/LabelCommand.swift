import ArgumentParser
import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip label`: the label of one chart (by default the newest window of a candle file),
/// from the local rules or a GPT model, printed as JSON.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Label one chart: setup, direction, phase and confidence, as JSON.",
        discussion: """
            The chart is the --window candles ending at --at (default: the newest candle). The \
            local labeler reads those candles only; the GPT labeler sends the chart (--image, or \
            the training chart rendered in memory) with its scoring context to an \
            OpenAI-compatible server, the key taken from the environment (never printed).
            Example: chartclip label --candles BTCUSDT_15m.csv --drop-last --explain
            Example: OPENAI_API_KEY=… chartclip label --candles BTCUSDT_15m.csv --labeler gpt \
            --image charts/BTCUSDT_20250623_1400.png --at 2025-06-23T13:45:00Z
            """)

    @Option(help: "Candle CSV (recorded Bybit format or timestamp,open,high,low,close,volume[,turnover]).")
    var candles: String

    @Option(help: "Symbol (default: from the file name).")
    var symbol: String?

    @Option(help: "Candle interval in minutes (default: inferred from the file).")
    var interval: Int?

    @Option(help: "Start time of the chart's last candle (ISO 8601 or UTC ms; default: the newest).")
    var at: String?

    @Option(help: "Candles per chart.")
    var window: Int = 96

    @Option(help: "local (rules, no network) or gpt.")
    var labeler: LabelerKind = .local

    @Option(help: "Chart PNG sent to GPT (default: the training chart rendered in memory).")
    var image: String?

    @Option(help: "Size of the chart rendered for GPT when --image is not given.")
    var size: Int = 224

    @Flag(help: "Drop the file's last row (a candle that may still have been forming).")
    var dropLast = false

    @Flag(help: "Also print the scoring context and, for the local labeler, each condition's margin.")
    var explain = false

    @OptionGroup var gpt: GPTOptions

    func run() async throws {
        let loaded = try CandleCSV.load(
            URL(fileURLWithPath: candles), symbol: symbol, interval: interval.map { CandleInterval(minutes: $0) },
            formingCandle: dropLast ? .dropLast : .keep)
        let series = loaded.series
        var end = series.candles.count - 1
        if let at {
            let time = try TimeArgument.milliseconds(at, name: "--at")
            guard let index = series.candles.firstIndex(where: { $0.startTime == time }) else {
                throw ValidationError("no candle of \(candles) starts at \(UTCTime.iso(milliseconds: time))")
            }
            end = index
        }
        guard end + 1 >= window, window >= 2 else {
            throw ValidationError("a chart of \(window) candles needs \(window) candles up to --at; there are \(end + 1)")
        }
        let range = (end + 1 - window)..<(end + 1)
        let chartCandles = Array(series.candles[range])
        let context = try ScoringContext(candles: chartCandles, symbol: series.symbol, interval: series.interval)
        let label: ChartLabel
        let name: String
        switch labeler {
        case .local:
            let local = LocalLabeler()
            let reading = try local.read(MarketFeatures(candles: chartCandles))
            label = reading.label
            name = local.name
            if explain {
                for c in reading.evidence.conditions {
                    FileHandle.standardError.write(Data(String(format: "  %-42@ excess %.2f\n", c.name, c.excess).utf8))
                }
            }
        case .gpt:
            let config = try gpt.configuration()
            let png: Data
            if let image {
                png = try Data(contentsOf: URL(fileURLWithPath: image))
            } else {
                png = try CandlestickRenderer(options: .training(size: size)).render(series, window: range).pngData()
            }
            label = try await GPTLabeler.with(config) { try await $0.generateLabel(png: png, contextFeatures: context) }
            name = "gpt:\(config.model)"
        }
        let sample = TrainingSampleName(symbol: series.symbol, closeTimeMs: context.closeTimeMs)
        let record = TrainingSampleLabel(
            name: sample, closeTimeMs: context.closeTimeMs, interval: series.interval.description, label: label, labeler: name)
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(record), as: UTF8.self))
        if explain { print(String(decoding: try encoder.encode(context), as: UTF8.self)) }
    }
}

/// Where the GPT labeler's server is: a JSON config file, each key overridable by an option.
struct GPTOptions: ParsableArguments {
    @Option(help: "GPT labeler config (JSON: base_url, model, timeout_seconds, max_retries, api_key_env, …).")
    var gptConfig: String?

    @Option(help: "OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1.")
    var gptBaseURL: String?

    @Option(help: "Model name.")
    var gptModel: String?

    @Option(help: "Seconds allowed per request.")
    var gptTimeout: Double?

    @Option(help: "Retries for 429, 5xx and timeouts.")
    var gptRetries: Int?

    @Option(help: "Environment variable holding the API key (default OPENAI_API_KEY).")
    var gptKeyEnv: String?

    /// The file's configuration (or the defaults) with the options applied.
    func configuration() throws -> GPTLabelerConfig {
        var config = try gptConfig.map { try GPTLabelerConfig.load(URL(fileURLWithPath: $0)) } ?? GPTLabelerConfig()
        if let gptBaseURL { config.baseURL = gptBaseURL }
        if let gptModel { config.model = gptModel }
        if let gptTimeout { config.timeoutSeconds = gptTimeout }
        if let gptRetries { config.maxRetries = gptRetries }
        if let gptKeyEnv { config.apiKeyVariable = gptKeyEnv }
        try config.validate()
        return config
    }
}

extension LabelerKind: ExpressibleByArgument {}
