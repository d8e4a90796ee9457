import ArgumentParser
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip synth …`: writes the seeded synthetic market and its planted-setup labels.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate the synthetic market: candles with planted, labelled setups.",
        discussion: """
            Deterministic: the same seed gives the same bytes. Setups (range accumulation, \
            breakout, breakout with pullback, fakeout, exhaustion, trend continuation, both \
            directions) are planted so that issue 5's rules read them at the labelled bar.
            Labels are JSON Lines: symbol, bar_index, start_time(_ms), close_time(_ms), \
            setup_type, setup_direction, phase_type.
            Example: chartclip synth --bars 5000 --seed 7 --out data/SYNTHUSDT_15m.csv \
            --labels-out data/SYNTHUSDT_15m_labels.jsonl
            """)

    @Option(help: "Symbol written into the data.")
    var symbol = "SYNTHUSDT"

    @Option(help: "Interval: minutes (15, 60, …), 15m, 1h, 4h or 1d.")
    var interval = "15"

    @Option(help: "Number of candles.")
    var bars = 5000

    @Option(help: "Random seed.")
    var seed: UInt64 = 7

    @Option(help: "First candle start time (ISO 8601 or UTC ms).")
    var start = "2025-01-01T00:00:00Z"

    @Option(help: "Output candle CSV (timestamp,open,high,low,close,volume,turnover).")
    var out: String

    @Option(help: "Output labels as JSON Lines.")
    var labelsOut: String?

    func run() throws {
        guard bars > 0 else { throw ValidationError("--bars must be positive") }
        var configuration = SyntheticMarket.Configuration()
        configuration.symbol = symbol
        configuration.interval = try CandleInterval(parsing: interval)
        configuration.bars = bars
        configuration.seed = seed
        configuration.startTime = try TimeArgument.milliseconds(start, name: "--start")
        let market = SyntheticMarket.generate(configuration)
        let url = URL(fileURLWithPath: out)
        try CandleCSV.write(market.series, to: url)
        print("wrote \(market.series.candles.count) \(configuration.interval) candles of \(symbol) to \(url.path)")
        let counts = Dictionary(grouping: market.setups, by: \.match.description).mapValues(\.count)
        let summary = counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
        print("planted \(market.setups.count) setups: \(summary)")
        if let labelsOut {
            let labelsURL = URL(fileURLWithPath: labelsOut)
            try AtomicFile.write(try SyntheticMarket.labelsJSONL(market.setups), to: labelsURL)
            print("wrote labels to \(labelsURL.path)")
        }
    }
}
