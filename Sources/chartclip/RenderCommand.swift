import ArgumentParser
import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import Foundation

/// `chartclip render`: candlestick charts of every window of a candle file, as PNGs named
/// `SYMBOL_YYYYMMDD_HHMM.png` after the last candle's UTC close.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render candlestick charts (mplfinance 'charles' look) of every window of a candle CSV.",
        discussion: """
            Windows of --window candles step back by --stride from the newest candle, so the \
            latest chart is always rendered. Existing files are skipped; writes are atomic.
            Example: chartclip render --candles BTCUSDT_15m.csv --symbol BTCUSDT --window 96 --stride 4 --out charts/
            """)

    @Option(help: "Candle CSV (recorded Bybit format or timestamp,open,high,low,close,volume[,turnover]).")
    var candles: String

    @Option(help: "Symbol for titles and file names (default: from the file name).")
    var symbol: String?

    @Option(help: "Candles per chart.")
    var window: Int = 96

    @Option(help: "Candles between consecutive charts.")
    var stride: Int = 4

    @Option(help: "Training-chart size in pixels (square).")
    var size: Int = 224

    @Option(help: "train (exact size, no text) or human (axes, time labels, title).")
    var mode: ChartMode = .train

    @Option(help: "Image width, overriding --size (human default 1200).")
    var width: Int?

    @Option(help: "Image height, overriding --size (human default 800).")
    var height: Int?

    @Option(help: "Candle interval in minutes (default: inferred from the file).")
    var interval: Int?

    @Option(name: .customLong("mav"), help: "Moving-average period to draw; repeat for several (e.g. --mav 20 --mav 50).")
    var movingAverages: [Int] = []

    @OptionGroup var overlays: OverlayOptions

    @Option(help: "Output folder.")
    var out: String = "charts"

    @Option(help: "Worker threads (0 = one per core).")
    var threads: Int = 0

    @Flag(help: "Drop the file's last row: a candle that may still have been forming (recorded Bybit files).")
    var dropLast = false

    @Flag(help: "Render only the window ending at the newest candle.")
    var last = false

    @Flag(help: "Re-render charts whose files already exist.")
    var overwrite = false

    @Flag(help: "Hide the progress bar.")
    var quiet = false

    func run() throws {
        let loaded = try CandleCSV.load(
            URL(fileURLWithPath: candles), symbol: symbol, interval: interval.map { CandleInterval(minutes: $0) },
            formingCandle: dropLast ? .dropLast : .keep)
        let series = loaded.series
        if !loaded.gaps.isEmpty {
            FileHandle.standardError.write(Data(
                "note: \(candles) has \(loaded.gaps.count) gap(s); windows across a gap show the candles side by side\n".utf8))
        }
        var options = mode == .train
            ? ChartOptions.training(size: size, movingAverages: movingAverages, overlays: overlays.overlays)
            : ChartOptions.human(movingAverages: movingAverages, overlays: overlays.overlays)
        if let width { options.width = width }
        if let height { options.height = height }
        let renderer = try CandlestickRenderer(options: options)
        let batch = try ChartBatchRenderer(
            renderer: renderer, window: window, stride: last ? max(series.candles.count, 1) : stride, threads: threads,
            compression: mode == .train ? .fast : .standard, skipExisting: !overwrite)
        let folder = URL(fileURLWithPath: out)
        let summary = try batch.renderAll(series, to: folder, progress: !quiet)
        let rate = summary.seconds > 0 ? Double(summary.written) / summary.seconds : 0
        print(String(
            format: "%@: wrote %d chart(s), skipped %d existing, in %@ (%.0f charts/s, %dx%d %@)",
            series.symbol, summary.written, summary.skipped, folder.path, rate, options.width, options.height,
            mode.rawValue))
        if let newest = summary.files.last { print("latest: \(newest.path)") }
    }
}

extension ChartMode: ExpressibleByArgument {}
