import ChartCLIPDecision
import ChartCLIPMarket
import Foundation
import Testing

/// The base rate: how often the same barrier is hit from every candle, same direction.
@Suite struct BaseRateTests {
    /// Six 15m candles; a +2% spike in candle 2, a dip to 100.5 in candle 4.
    static let series = TestMarket.series([
        (100, 100.5, 99.5, 100),
        (100, 100.5, 99.5, 100),
        (100, 102.5, 99.8, 102),
        (102, 102.2, 101.8, 102),
        (102, 102.2, 100.5, 101),
        (101, 101.2, 100.8, 101),
    ])
    static let atr = Indicators.atr(series.candles)

    @Test func everyCandleIsAnEntryUnderTheSameRules() {
        // Two-candle horizon, +2%/−1% long. Entries 1 and 2 see the spike (hits); entries 3 and
        // 4 open at 102 and the dip to 100.5 stops them; entry 5's horizon runs past the data;
        // entry 0 has no candle before it (no ATR), as a prediction's entry never does.
        let table = BaseRateTable(series: Self.series, atr: Self.atr, bars: 2, direction: .up, barrier: BarrierSpec())
        let all = table.rate(from: .min, to: .max)
        #expect(all.hits == 2 && all.count == 4)
        // Entries starting from candle 2 to candle 4: one hit of three.
        let part = table.rate(from: TestMarket.june1 + 2 * TestMarket.m15, to: TestMarket.june1 + 4 * TestMarket.m15)
        #expect(part.hits == 1 && part.count == 3)
        #expect(table.rate(from: TestMarket.june1 + 9 * TestMarket.m15, to: .max) == (0, 0))
    }

    @Test func theDirectionMatters() {
        // Short entries: the spike stops entries 1 and 2, and nothing falls 2% afterwards.
        let table = BaseRateTable(series: Self.series, atr: Self.atr, bars: 2, direction: .down, barrier: BarrierSpec())
        #expect(table.rate(from: .min, to: .max) == (0, 4))
    }
}
