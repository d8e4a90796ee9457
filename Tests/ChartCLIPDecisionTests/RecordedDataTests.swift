import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// The decision module on the recorded Bybit candles (`../shared/data/bybit`, never copied
/// into the repository), with the setup rules standing in for the chart model. Skipped when
/// the data is not there.
@Suite struct RecordedDataTests {
    static func sol() throws -> CandleSeries? {
        guard let root = Fixtures.recordedBybit else { return nil }
        let url = root.appendingPathComponent("linear_15m/SOLUSDT_15m.csv")
        var series = try CandleCSV.load(url, formingCandle: .dropLast).series
        series.candles = Array(series.candles.prefix(3000))  // a month: enough, and fast
        return series
    }

    /// A prediction at every close where the rules see a setup, as a perfect classifier would.
    static func rulePredictions(_ series: CandleSeries) -> [CVPrediction] {
        let features = MarketFeatures(candles: series.candles)
        let rules = SetupRules()
        return series.candles.indices.dropFirst(60).compactMap { t in
            let match = rules.setup(in: features, at: t)
            guard match.type != .none else { return nil }
            return CVPrediction(
                symbol: series.symbol, timestamp: series.closeTime(at: t), interval: series.interval,
                setup: match.type == .fakeout ? "trap" : match.type.rawValue, setupDirection: match.direction,
                confidence: 0.9)
        }
    }

    @Test(.enabled(if: Fixtures.recordedBybit != nil, "../shared/data/bybit is not next to the repository")) func feedbackAndBacktestRunOnAMonthOfSOL() throws {
        let series = try #require(try Self.sol())
        let predictions = Self.rulePredictions(series)
        let evaluation = FeedbackLoop.evaluate(predictions, candles: [series])
        #expect(evaluation.outcomes.count + evaluation.waiting.count + evaluation.skipped.count == 2 * predictions.count)
        let summary = FeedbackSummary(outcomes: evaluation.outcomes)
        let all2h = try #require(summary.rows.first { $0.setup == "all" && $0.horizon == "2h" })
        #expect((0.001...0.5).contains(all2h.baseRate ?? -1), "\(all2h)")
        // A stop can only take hits away: the base rate with a 1% stop is at most the rate of
        // a bare +2% within 2h (the mission's ~8.5% of SOL candles over the whole quarter).
        let atr = Indicators.atr(series.candles)
        let stopped = BaseRateTable(series: series, atr: atr, bars: 8, direction: .up, barrier: BarrierSpec())
            .rate(from: .min, to: .max)
        let bare = BaseRateTable(series: series, atr: atr, bars: 8, direction: .up, barrier: BarrierSpec(stop: 0.99))
            .rate(from: .min, to: .max)
        #expect(stopped.count == bare.count && stopped.hits <= bare.hits && stopped.hits > 0)
        let report = try WalkForwardBacktest.run(series: series, predictions: predictions)
        #expect(report.withCV.enter + report.withCV.consider + report.withCV.avoid == report.decisions)
        #expect(report.predictionsUsed > 0)
    }
}
