import ChartCLIPDecision
import ChartCLIPMarket
import Foundation
import Testing

/// The candle-based base score: four documented components, each with its reason.
@Suite struct BaseScoreTests {
    @Test func theScoreIsTheWeightedSumOfFourComponents() throws {
        let d = try simulateTraderDecisionAdvanced(series: TestMarket.wavy(150, drift: 0.002), prediction: nil)
        #expect(d.components.map(\.name) == ["trend", "pullback", "volume", "volatility"])
        #expect(abs(d.components.map(\.weight).reduce(0, +) - 1) < 1e-12)
        #expect(abs(d.components.map(\.contribution).reduce(0, +) - d.baseScore) < 1e-12)
        for c in d.components {
            #expect((0...1).contains(c.value), "\(c.name) = \(c.value)")
            #expect(c.reason.hasPrefix("\(c.name): "))
        }
        #expect(Array(d.reasons.prefix(4)) == d.components.map(\.reason))
        #expect(d.predictionStatus == .disabled && d.score == d.baseScore)
    }

    @Test func aRisingMarketScoresItsTrendAndAFallingOneDoesNot() throws {
        // The engine rates long entries: a steady rise is a trend to join, a fall is not.
        let up = try simulateTraderDecisionAdvanced(series: TestMarket.wavy(150, drift: 0.003), prediction: nil)
        let down = try simulateTraderDecisionAdvanced(series: TestMarket.wavy(150, drift: -0.003), prediction: nil)
        let upTrend = try #require(up.components.first)
        let downTrend = try #require(down.components.first)
        #expect(upTrend.value > 0.5, "\(upTrend.reason)")
        #expect(upTrend.reason.contains("EMA20 above EMA50"))
        #expect(downTrend.value == 0, "\(downTrend.reason)")
        #expect(up.baseScore > down.baseScore)
    }

    @Test func anOverExtendedCloseIsAPoorPullback() throws {
        // A calm market, then one candle that jumps far above EMA20.
        var series = TestMarket.wavy(100, drift: 0)
        let last = series.candles[series.candles.count - 1]
        series.candles.append(Candle(
            startTime: last.startTime + TestMarket.m15, open: last.close, high: last.close * 1.05,
            low: last.close, close: last.close * 1.05, volume: 100))
        let d = try simulateTraderDecisionAdvanced(series: series, prediction: nil)
        let pullback = try #require(d.components.first { $0.name == "pullback" })
        #expect(pullback.value == 0 && pullback.measurement > 3, "\(pullback.reason)")
        #expect(pullback.reason.contains("extended"))
    }

    @Test func theWeightsAreConfigurable() throws {
        var config = DecisionConfig()
        config.weights = BaseScoreWeights()
        config.weights.trend = 0
        config.weights.pullback = 0
        config.weights.volume = 0
        config.weights.volatility = 1
        let d = try simulateTraderDecisionAdvanced(series: TestMarket.wavy(150, drift: 0.002), prediction: nil, config: config)
        let volatility = try #require(d.components.last)
        #expect(d.baseScore == volatility.value)
    }
}
