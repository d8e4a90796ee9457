import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation
import Testing

/// The walk-forward backtest: the same closes decided with and without the CV rules.
@Suite struct WalkForwardTests {
    /// 300 candles of a rising market.
    static let series = TestMarket.wavy(300, drift: 0.002)
    /// A prediction every 20 candles, at the closes of candles 80, 100, …, 280.
    static func every20(_ setup: String) -> [CVPrediction] {
        stride(from: 80, through: 280, by: 20).map { TestMarket.prediction(setup, confidence: 0.9, at: $0) }
    }

    @Test func eachPredictionCountsForTheClosesWhileItIsFresh() throws {
        let report = try WalkForwardBacktest.run(series: Self.series, predictions: Self.every20("breakout"))
        // Decisions from candle 59 (60 candles of history) to 291 (the last whose 2h horizon
        // of 8 candles fits in the data).
        #expect(report.decisions == 233)
        // Each prediction is fresh at its own close and the two after (two intervals): 11 × 3.
        #expect(report.predictionsUsed == 33 && report.adjusted == 33)
        #expect(report.changed <= report.adjusted)
        let without = report.withoutCV, with = report.withCV
        #expect(without.enter + without.consider + without.avoid == 233)
        #expect(with.enter + with.consider + with.avoid == 233)
        // A breakout only ever adds: the CV variant enters at least as often.
        #expect(with.enter >= without.enter)
        #expect(report.baseRate != nil && report.horizon == "2h" && report.barrier == "+2%/-1%")
    }

    @Test func trapsOnlyEverRemoveEntries() throws {
        let report = try WalkForwardBacktest.run(series: Self.series, predictions: Self.every20("trap"))
        #expect(report.withCV.enter <= report.withoutCV.enter)
        #expect(report.adjusted == 33)
        if report.withCV.enter > 0 { #expect(report.withCV.enterHitRate != nil) }
    }

    @Test func aHeldOutPeriodAndOtherSymbolsPredictions() throws {
        var settings = WalkForwardSettings()
        settings.from = TestMarket.close(200)
        let others = Self.every20("breakout").map { p -> CVPrediction in
            var q = p
            q.symbol = "ETHUSDT"
            return q
        }
        let report = try WalkForwardBacktest.run(series: Self.series, predictions: others, settings: settings)
        #expect(report.decisions == 92 && report.from == UTCTime.iso(milliseconds: TestMarket.close(200)))
        #expect(report.predictionsUsed == 0 && report.withCV == report.withoutCV)
    }

    @Test func tooFewCandlesAreRefused() {
        #expect(throws: ChartCLIPError.self) {
            try WalkForwardBacktest.run(series: TestMarket.wavy(65, drift: 0), predictions: [])
        }
    }
}
