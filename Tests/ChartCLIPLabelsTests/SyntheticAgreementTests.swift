import ChartCLIPLabels
import ChartCLIPMarket
import Testing

/// The local labeler against the synthetic market's planted ground truth, reading only the
/// 96-candle chart that ends on each planted setup (as `chartclip scan` does).
@Suite struct SyntheticAgreementTests {
    static let market = SyntheticMarket.generate()

    @Test func agreesWithThePlantedSetupsOnAtLeast90Percent() throws {
        let labeler = LocalLabeler()
        var total = 0, setups = 0, phases = 0, both = 0
        var misses: [String] = []
        for s in Self.market.setups where s.barIndex >= 95 {
            let label = try labeler.label(Self.market.series, window: (s.barIndex - 95)..<(s.barIndex + 1))
            total += 1
            let setupOK = label.match == s.match
            let phaseOK = label.phaseType == s.phaseType
            if setupOK { setups += 1 }
            if phaseOK { phases += 1 }
            if setupOK && phaseOK { both += 1 } else { misses.append("bar \(s.barIndex) \(s.match) \(s.phaseType.rawValue) → \(label)") }
        }
        print("local labeler vs planted setups (seed 7): setup+direction \(setups)/\(total), phase \(phases)/\(total), "
              + "both \(both)/\(total)")
        for m in misses.prefix(10) { print("  miss: \(m)") }
        #expect(total >= 45)
        #expect(Double(setups) >= 0.9 * Double(total), "setup agreement \(setups)/\(total)")
        #expect(Double(both) >= 0.9 * Double(total), "setup and phase agreement \(both)/\(total)")
    }
}
