import ChartCLIPDecision
import ChartCLIPMarket
import Foundation
import Testing

/// The triple barrier on hand-made candles: entry at the open of the entry candle, +2%
/// target and −1% stop unless said otherwise.
@Suite struct TripleBarrierTests {
    static func run(
        _ rows: [(Double, Double, Double, Double)], direction: SetupDirection = .up, bars: Int? = nil,
        target: Double = 0.02, stop: Double = 0.01
    ) -> BarrierResult? {
        let s = TestMarket.series(rows)
        return TripleBarrier.evaluate(
            s.candles, interval: s.interval, entry: 0, bars: bars ?? rows.count, direction: direction, target: target,
            stop: stop)
    }

    @Test func theTargetFirstIsASuccess() throws {
        let r = try #require(Self.run([(100, 101, 99.5, 100.5), (100.5, 102.5, 100.2, 102), (102, 102, 98, 98.5)]))
        #expect(r.exit == .target && r.success && r.exitIndex == 1)
        #expect(r.tradeReturn == 0.02)
        // The horizon's numbers cover all three candles, whatever the exit.
        #expect(abs(r.returnAtHorizon - (-0.015)) < 1e-12)
        #expect(abs(r.maxFavourableExcursion - 0.025) < 1e-12)
        #expect(abs(r.maxAdverseExcursion - 0.02) < 1e-12)
    }

    @Test func theStopFirstIsAFailure() throws {
        let r = try #require(Self.run([(100, 100.5, 98.9, 99), (99, 103, 99, 102.8)]))
        #expect(r.exit == .stop && !r.success && r.exitIndex == 0 && r.tradeReturn == -0.01)
    }

    @Test func aCandleTouchingBothCountsAsAStop() throws {
        // Inside one candle the order of high and low is unknown: the cautious reading.
        let r = try #require(Self.run([(100, 102.5, 98.5, 101), (101, 101, 101, 101)]))
        #expect(r.exit == .stop && r.exitIndex == 0)
    }

    @Test func neitherBarrierByTheHorizonIsAFailureAtTheHorizonsReturn() throws {
        let r = try #require(Self.run([(100, 101, 99.5, 100.8), (100.8, 101.9, 100.1, 101.5), (101.5, 101.6, 100.9, 101.2)]))
        #expect(r.exit == .horizon && !r.success && r.exitIndex == 2)
        #expect(abs(r.returnAtHorizon - 0.012) < 1e-12 && r.tradeReturn == r.returnAtHorizon)
        #expect(abs(r.rawReturn - 0.012) < 1e-12)
        // A target two candles later is outside a two-candle horizon.
        let late = try #require(Self.run([(100, 101, 99.5, 101), (101, 101.5, 100, 101), (101, 103, 101, 103)], bars: 2))
        #expect(late.exit == .horizon)
    }

    @Test func shortSetupsAimDown() throws {
        // A bull trap implies a fall: the target is −2%, the stop +1%.
        let hit = try #require(Self.run([(100, 100.5, 99, 99.5), (99.5, 99.6, 97.9, 98)], direction: .down))
        #expect(hit.exit == .target && hit.exitIndex == 1)
        #expect(abs(hit.returnAtHorizon - 0.02) < 1e-12 && abs(hit.rawReturn - (-0.02)) < 1e-12)
        #expect(abs(hit.maxFavourableExcursion - 0.021) < 1e-12)
        #expect(abs(hit.maxAdverseExcursion - 0.005) < 1e-12)
        let stopped = try #require(Self.run([(100, 101.2, 99.5, 101), (101, 101, 97, 97)], direction: .down))
        #expect(stopped.exit == .stop && stopped.exitIndex == 0)
        // A rise of 2% is no success for a short.
        let wrongWay = try #require(Self.run([(100, 100.9, 99.5, 100.5)], direction: .down, stop: 0.05))
        #expect(wrongWay.exit == .horizon && wrongWay.returnAtHorizon < 0)
    }

    @Test func windowsPastTheDataOrAcrossAGapAreNotMeasured() {
        #expect(Self.run([(100, 101, 99, 100)], bars: 2) == nil)
        #expect(Self.run([(100, 101, 99, 100)], direction: .none) == nil)
        var s = TestMarket.series([(100, 101, 99, 100), (100, 101, 99, 100), (100, 101, 99, 100)])
        s.candles.remove(at: 1)  // a missing candle
        #expect(TripleBarrier.evaluate(s.candles, interval: s.interval, entry: 0, bars: 2, direction: .up, target: 0.02, stop: 0.01) == nil)
    }

    @Test func atrScaledBarriers() throws {
        let spec = BarrierSpec(targetATR: 1.5)
        let f = try #require(spec.fractions(entryPrice: 100, atr: 2))
        #expect(f.target == 0.03 && f.stop == 0.01)
        #expect(spec.label == "+1.5ATR/-1%")
        #expect(BarrierSpec().label == "+2%/-1%")
        #expect(spec.fractions(entryPrice: 100, atr: 0) == nil)
        // The ATR is that of the candle before the entry.
        let s = TestMarket.series([(100, 101, 99, 100), (100, 102.9, 99.5, 102), (102, 102.8, 101, 102)])
        let atr = [2.0, 1.0, 1.0]
        let r = try #require(TripleBarrier.evaluate(s, atr: atr, entry: 1, bars: 2, direction: .up, barrier: spec))
        #expect(r.targetFraction == 0.03 && r.exit == .horizon)  // 102.9 < 103: a 2% target would have been hit
    }

    @Test func horizonsInCandles() {
        #expect(TripleBarrier.bars(horizon: CandleInterval(minutes: 120), interval: .m15) == 8)
        #expect(TripleBarrier.bars(horizon: CandleInterval(minutes: 360), interval: .m15) == 24)
        #expect(TripleBarrier.bars(horizon: CandleInterval(minutes: 120), interval: .h4) == nil)
        #expect(TripleBarrier.bars(horizon: CandleInterval(minutes: 100), interval: .h1) == nil)
    }
}
