import ArgumentParser
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip fetch …`: downloads closed candles from Bybit into a CSV file.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download closed Bybit candles of a time range into a CSV file.",
        discussion: """
            Calls Bybit's public v5 GET /v5/market/kline, 1000 rows per request, paging back \
            from --end to --start (start inclusive, end exclusive), below 600 requests per 5 s. \
            The candle still forming is dropped; gaps are reported, never filled. \
            The file is the generic format: timestamp,open,high,low,close,volume,turnover.
            Example: chartclip fetch --symbol BTCUSDT --interval 15 \
            --start 2025-06-01T00:00:00Z --end 2025-06-08T00:00:00Z --out BTCUSDT_15m.csv
            """)

    @Option(help: "Symbol, e.g. BTCUSDT.")
    var symbol: String

    @Option(help: "Interval: minutes (1 3 5 15 30 60 120 240 360 720), D or W.")
    var interval: String = "15"

    @Option(help: "First candle start time (ISO 8601 or UTC ms), inclusive.")
    var start: String

    @Option(help: "End time (ISO 8601 or UTC ms), exclusive.")
    var end: String

    @Option(help: "Bybit category: spot, linear or inverse.")
    var category: String = "linear"

    @Option(help: "API root URL.")
    var baseURL: String = BybitClient.Configuration().baseURL

    @Option(help: "Output CSV file (written atomically).")
    var out: String

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() async throws {
        let candleInterval = try CandleInterval(parsing: interval)
        let from = try TimeArgument.milliseconds(start, name: "--start")
        let to = try TimeArgument.milliseconds(end, name: "--end")
        guard from < to else { throw ValidationError("--start must be before --end") }
        var configuration = BybitClient.Configuration()
        configuration.baseURL = baseURL
        configuration.showProgress = !quiet
        configuration.onRetry = { attempt, error, wait in
            let first = String(describing: error).split(separator: "\n").first ?? ""
            let note = "attempt \(attempt) failed (\(first)); retrying in \(wait.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
        let fetched = try await BybitClient.with(configuration) { client in
            try await client.candles(
                symbol: symbol, interval: candleInterval, category: category, from: from, to: to)
        }
        let url = URL(fileURLWithPath: out)
        try CandleCSV.write(fetched.series, to: url)
        let candles = fetched.series.candles
        let span = candles.isEmpty
            ? "none in range"
            : "\(UTCTime.iso(milliseconds: candles[0].startTime)) … \(UTCTime.iso(milliseconds: candles[candles.count - 1].startTime))"
        print("wrote \(candles.count) \(candleInterval) candles of \(symbol) (\(span)) to \(url.path) in \(fetched.requests) requests")
        if fetched.droppedForming > 0 { print("dropped \(fetched.droppedForming) candle(s) still forming") }
        for gap in fetched.gaps {
            FileHandle.standardError.write(Data("warning: \(symbol): \(gap)\n".utf8))
        }
    }
}
