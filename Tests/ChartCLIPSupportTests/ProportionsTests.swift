import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Hit-rate statistics against scipy and statsmodels (`Tests/Fixtures/golden/make_stats_golden.py`).
@Suite struct ProportionsTests {
    let golden: GoldenFile

    init() throws { golden = try GoldenFile("golden/stats.json") }

    private func rows(_ key: String) -> [[Double]] {
        (golden[key] as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
    }

    @Test func wilsonIntervalsMatchScipy() throws {
        let cases = rows("wilson")
        #expect(cases.count == 9)
        for c in cases {
            let interval = try #require(Proportions.wilson(successes: Int(c[0]), trials: Int(c[1])))
            #expect(abs(interval.lower - c[2]) < 1e-12 && abs(interval.upper - c[3]) < 1e-12, "\(Int(c[0]))/\(Int(c[1])): \(interval)")
        }
        #expect(Proportions.wilson(successes: 0, trials: 0) == nil)
        #expect(Proportions.wilson(successes: 5, trials: 4) == nil)
    }

    @Test func exactBinomialTestsMatchScipy() throws {
        let cases = rows("binomial")
        #expect(cases.count == 6)
        for c in cases {
            let test = try #require(Proportions.binomialTest(successes: Int(c[0]), trials: Int(c[1]), rate: c[2]))
            #expect(abs(test.pValue - c[3]) < 1e-9 * max(1, c[3]) + 1e-12, "\(Int(c[0]))/\(Int(c[1])) against \(c[2]): \(test.pValue), scipy \(c[3])")
        }
        #expect(Proportions.binomialTest(successes: 1, trials: 10, rate: 0) == nil)
    }

    @Test func twoProportionTestsMatchStatsmodels() throws {
        let cases = rows("two_proportion")
        #expect(cases.count == 4)
        for c in cases {
            let test = try #require(Proportions.twoProportionZTest(
                successes1: Int(c[0]), trials1: Int(c[1]), successes2: Int(c[2]), trials2: Int(c[3])))
            #expect(abs(test.statistic - c[4]) < 1e-10 && abs(test.pValue - c[5]) < 1e-10, "\(c): \(test)")
        }
        // Equal rates of 0 or 1 have no variance: no test rather than a made-up p-value.
        #expect(Proportions.twoProportionZTest(successes1: 0, trials1: 10, successes2: 0, trials2: 12) == nil)
        #expect(Proportions.twoProportionZTest(successes1: 1, trials1: 0, successes2: 0, trials2: 12) == nil)
    }
}
