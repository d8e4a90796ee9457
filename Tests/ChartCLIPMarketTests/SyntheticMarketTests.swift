import ChartCLIPMarket
import Foundation
import Testing

@Suite struct SyntheticMarketTests {
    @Test func diagnostics() {
        let out = SyntheticMarket.generate()
        print("bars", out.series.candles.count, "setups", out.setups.count, "rejected", out.rejectedAttempts)
        var counts: [String: Int] = [:]
        for s in out.setups { counts[s.match.description, default: 0] += 1 }
        print(counts.sorted { $0.key < $1.key })
    }
}
