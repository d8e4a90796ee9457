import ChartCLIPSupport
import Foundation

/// What the walk-forward counts say beyond their rates: a 95% interval beside every hit rate,
/// whether entering with the CV adjustment hits more often than without it, and whether each
/// variant's entries beat entering at every decision (the base rate).
public struct WalkForwardStatistics: Codable, Equatable, Sendable {
    /// Decisions measured and `enter` decisions the CV adjustment changed (either way).
    public var decisions: Int, changed: Int
    /// `enter` hits and counts without and with the CV adjustment.
    public var enterHitsWithout: Int, entersWithout: Int, enterHitsWith: Int, entersWith: Int
    /// Hits of entering at every decision measured.
    public var baseHits: Int
    /// Wilson 95% intervals of the two hit rates and of the base rate.
    public var intervalWithout: Proportions.Interval?, intervalWith: Proportions.Interval?, baseInterval: Proportions.Interval?
    /// Pooled two-proportion z-test of the hit rate with the CV adjustment against without.
    /// The two sets of entries share every decision the adjustment left alone, so they are
    /// not independent samples: the test is conservative, and with no changed decision the
    /// rates are identical whatever it says.
    public var withAgainstWithout: Proportions.Test?
    /// Exact binomial tests of each variant's hit rate against the base rate.
    public var withoutAgainstBase: Proportions.Test?, withAgainstBase: Proportions.Test?

    /// The statistics of several reports pooled (their counts summed).
    public init(_ reports: [WalkForwardReport]) {
        decisions = reports.map(\.decisions).reduce(0, +)
        changed = reports.map(\.changed).reduce(0, +)
        enterHitsWithout = reports.map(\.withoutCV.enterHits).reduce(0, +)
        entersWithout = reports.map(\.withoutCV.enter).reduce(0, +)
        enterHitsWith = reports.map(\.withCV.enterHits).reduce(0, +)
        entersWith = reports.map(\.withCV.enter).reduce(0, +)
        baseHits = reports.map(\.baseHits).reduce(0, +)
        intervalWithout = Proportions.wilson(successes: enterHitsWithout, trials: entersWithout)
        intervalWith = Proportions.wilson(successes: enterHitsWith, trials: entersWith)
        baseInterval = Proportions.wilson(successes: baseHits, trials: decisions)
        withAgainstWithout = Proportions.twoProportionZTest(
            successes1: enterHitsWith, trials1: entersWith, successes2: enterHitsWithout, trials2: entersWithout)
        let base = decisions > 0 ? Double(baseHits) / Double(decisions) : 0
        withoutAgainstBase = Proportions.binomialTest(successes: enterHitsWithout, trials: entersWithout, rate: base)
        withAgainstBase = Proportions.binomialTest(successes: enterHitsWith, trials: entersWith, rate: base)
    }

    /// `28/112 = 25.0% [17.9%, 33.8%]`, or `0 entries`.
    public static func rate(_ hits: Int, _ trials: Int, _ interval: Proportions.Interval?) -> String {
        guard trials > 0, let interval else { return "0 entries" }
        return String(
            format: "%d/%d = %.1f%% [%.1f%%, %.1f%%]", hits, trials, 100 * Double(hits) / Double(trials),
            100 * interval.lower, 100 * interval.upper)
    }

    /// `p = 0.031`, or `-` without a test.
    public static func p(_ test: Proportions.Test?) -> String {
        guard let test else { return "-" }
        return test.pValue < 0.001 ? String(format: "p = %.1e", test.pValue) : String(format: "p = %.3f", test.pValue)
    }
}
