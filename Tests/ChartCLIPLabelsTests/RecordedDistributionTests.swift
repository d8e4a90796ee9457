import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// The local labeler on the recorded Bybit candles in `../shared/data/bybit/` (never copied
/// into the repository; skipped when absent). The full distribution over every symbol is
/// `chartclip label-stats`; here one symbol, every 48th window, keeps the test quick.
@Suite struct RecordedDistributionTests {
    @Test(.enabled(if: Fixtures.recordedBybit != nil, "../shared/data/bybit is not next to the repository")) func theLabelDistributionOnRecordedBTCIsPrintedAndPlausible() throws {
        let root = try #require(Fixtures.recordedBybit)
        let file = root.appendingPathComponent("linear_15m/BTCUSDT_15m.csv")
        let series = try CandleCSV.load(file, formingCandle: .dropLast).series
        let distribution = try LabelDistribution.local(series, window: 96, stride: 48)
        print(distribution.table(title: "local labels, BTCUSDT 15m, 96-candle windows every 48 candles"))
        #expect(distribution.total == (series.candles.count - 96) / 48 + 1)
        // Real markets: most bars show no setup, and every phase occurs.
        #expect(distribution.setupTypes[.none, default: 0] > distribution.total / 3)
        for phase in [PhaseType.trendUp, .trendDown, .range] {
            #expect(distribution.phases[phase, default: 0] > 0, "\(phase)")
        }
    }
}
