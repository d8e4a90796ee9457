import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation

/// Hand-made candles and predictions for the decision tests.
enum TestMarket {
    /// 2025-06-01T00:00:00Z, the start of every hand-made series.
    static let june1: Int64 = 1_748_736_000_000
    /// One 15-minute candle in milliseconds.
    static let m15: Int64 = 900_000

    /// A 15m series from `(open, high, low, close)` rows starting at `june1`.
    static func series(_ rows: [(Double, Double, Double, Double)], symbol: String = "BTCUSDT") -> CandleSeries {
        let candles = rows.enumerated().map { i, r in
            Candle(startTime: june1 + Int64(i) * m15, open: r.0, high: r.1, low: r.2, close: r.3, volume: 100)
        }
        return CandleSeries(symbol: symbol, interval: .m15, candles: candles)
    }

    /// `count` flat candles at `price` with a 0.1% range: nothing ever reaches a 1% barrier.
    static func flat(_ count: Int, price: Double = 100) -> [(Double, Double, Double, Double)] {
        Array(repeating: (price, price * 1.001, price * 0.999, price), count: count)
    }

    /// A deterministic wavy market of `count` 15m candles drifting by `drift` per candle
    /// (a fraction of the start price), with volumes that vary, for base-score tests.
    static func wavy(_ count: Int, drift: Double, symbol: String = "BTCUSDT") -> CandleSeries {
        var candles: [Candle] = []
        var previous = 100.0
        for i in 0..<count {
            let x = Double(i)
            let close = 100 * (1 + drift * x) + 0.6 * sin(x / 2.5)
            let open = previous
            let high = max(open, close) + 0.25 + 0.1 * sin(x)
            let low = min(open, close) - 0.25 - 0.1 * cos(x)
            candles.append(Candle(
                startTime: june1 + Int64(i) * m15, open: open, high: high, low: low, close: close,
                volume: 100 + 30 * sin(x / 3)))
            previous = close
        }
        return CandleSeries(symbol: symbol, interval: .m15, candles: candles)
    }

    /// The close time of candle `index` of a series starting at `june1`.
    static func close(_ index: Int) -> Int64 { june1 + Int64(index + 1) * m15 }

    /// A prediction made at the close of candle `index`.
    static func prediction(
        _ setup: String, confidence: Double, at index: Int, symbol: String = "BTCUSDT",
        direction: SetupDirection? = nil, interval: CandleInterval? = .m15
    ) -> CVPrediction {
        CVPrediction(
            symbol: symbol, timestamp: close(index), interval: interval, setup: setup, setupDirection: direction,
            confidence: confidence)
    }

    /// A fresh temporary folder.
    static func folder(_ label: String) throws -> URL {
        try Fixtures.temporaryDirectory("decision-\(label)")
    }

    /// Writes `text` to `folder/name`.
    @discardableResult
    static func write(_ text: String, _ name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try AtomicFile.write(text, to: url)
        return url
    }
}
