@testable import ChartCLIPDecision
import ChartCLIPSupport
import Foundation
import Testing

/// The walk-forward's statistics pool the symbols' counts and put an interval and a test beside
/// every rate.
@Suite struct WalkForwardStatisticsTests {
    static func report(_ symbol: String, decisions: Int, changed: Int, without: (Int, Int), with: (Int, Int), base: Int) -> WalkForwardReport {
        var r = WalkForwardReport(
            symbol: symbol, interval: "15m", horizon: "2h", barrier: "+2%/-1%", decisions: decisions, predictionsUsed: decisions,
            adjusted: changed, changed: changed, withoutCV: BacktestVariant(), withCV: BacktestVariant())
        r.withoutCV.enter = without.1
        r.withoutCV.enterHits = without.0
        r.withCV.enter = with.1
        r.withCV.enterHits = with.0
        r.baseHits = base
        r.baseRate = Double(base) / Double(decisions)
        return r
    }

    @Test func countsArePooledAndEveryRateGetsItsIntervalAndTest() throws {
        let reports = [
            Self.report("A", decisions: 500, changed: 12, without: (20, 100), with: (25, 90), base: 75),
            Self.report("B", decisions: 300, changed: 3, without: (8, 60), with: (9, 61), base: 45),
        ]
        let stats = WalkForwardStatistics(reports)
        #expect(stats.decisions == 800 && stats.changed == 15 && stats.baseHits == 120)
        #expect(stats.enterHitsWithout == 28 && stats.entersWithout == 160 && stats.enterHitsWith == 34 && stats.entersWith == 151)
        #expect(stats.intervalWith == Proportions.wilson(successes: 34, trials: 151))
        #expect(stats.baseInterval == Proportions.wilson(successes: 120, trials: 800))
        #expect(stats.withAgainstWithout == Proportions.twoProportionZTest(successes1: 34, trials1: 151, successes2: 28, trials2: 160))
        #expect(stats.withAgainstBase == Proportions.binomialTest(successes: 34, trials: 151, rate: 0.15))
        #expect(WalkForwardStatistics.rate(34, 151, stats.intervalWith).hasPrefix("34/151 = 22.5% ["))
        #expect(WalkForwardStatistics.rate(0, 0, nil) == "0 entries")
        // No entries at all: no interval, no test, and nothing made up.
        let empty = WalkForwardStatistics([Self.report("C", decisions: 10, changed: 0, without: (0, 0), with: (0, 0), base: 2)])
        #expect(empty.intervalWith == nil && empty.withAgainstWithout == nil && WalkForwardStatistics.p(empty.withAgainstBase) == "-")
    }
}
