import Foundation

/// Uncertainty of hit rates: the interval beside every rate, and the tests that say whether
/// two rates, or a rate and its base rate, differ by more than chance.
///
/// Reference: Wilson, "Probable inference, the law of succession, and statistical inference"
/// (1927), the interval `statsmodels.stats.proportion.proportion_confint(method="wilson")`
/// gives; the pooled two-proportion z-test (`statsmodels` `proportions_ztest`); the exact
/// binomial test of `scipy.stats.binomtest` (two-sided: every outcome no more likely than the
/// one seen). Golden values: `Tests/Fixtures/golden/make_stats_golden.py`.
public enum Proportions {
    /// The two-sided 95% normal quantile, Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// A closed interval of proportions.
    public struct Interval: Codable, Equatable, Sendable {
        /// Lower end, in [0, 1].
        public var lower: Double
        /// Upper end, in [0, 1].
        public var upper: Double
    }

    /// The Wilson score interval of `successes` out of `trials` at the normal quantile `z`
    /// (95% by default); `nil` without trials. Unlike p̂ ± z·SE it stays inside [0, 1] and
    /// keeps its coverage for rates near 0 or 1 and small counts.
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> Interval? {
        guard trials > 0, successes >= 0, successes <= trials else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return Interval(lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// A test's statistic and two-sided p-value.
    public struct Test: Codable, Equatable, Sendable {
        /// The z statistic (for the exact test, the signed distance in standard errors, for reading).
        public var statistic: Double
        /// Two-sided p-value.
        public var pValue: Double
    }

    /// The pooled two-proportion z-test of `s1/n1` against `s2/n2`; `nil` when a group is
    /// empty or the pooled rate is 0 or 1 (no variance: the rates are equal, p = 1 would say
    /// the same with less honesty).
    public static func twoProportionZTest(successes1 s1: Int, trials1 n1: Int, successes2 s2: Int, trials2 n2: Int) -> Test? {
        guard n1 > 0, n2 > 0, (0...n1).contains(s1), (0...n2).contains(s2) else { return nil }
        let pooled = Double(s1 + s2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        guard variance > 0 else { return nil }
        let z = (Double(s1) / Double(n1) - Double(s2) / Double(n2)) / variance.squareRoot()
        return Test(statistic: z, pValue: erfc(abs(z) / 2.0.squareRoot()))
    }

    /// The exact two-sided binomial test of `successes` out of `trials` against the rate `p`
    /// (a setup's hit rate against its base rate): the probability, under `p`, of every count
    /// no more likely than the one seen. `nil` without trials or with `p` outside (0, 1).
    public static func binomialTest(successes k: Int, trials n: Int, rate p: Double) -> Test? {
        guard n > 0, (0...n).contains(k), p > 0, p < 1 else { return nil }
        func logPMF(_ i: Int) -> Double {
            lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                + Double(i) * log(p) + Double(n - i) * log1p(-p)
        }
        let observed = logPMF(k)
        // scipy's tolerance: counts within a relative 1e-7 of the observed probability count as
        // equally likely (ties from rounding).
        let threshold = observed + log1p(1e-7)
        var total = 0.0
        for i in 0...n {
            let l = logPMF(i)
            if l <= threshold { total += exp(l) }
        }
        let z = (Double(k) - Double(n) * p) / (Double(n) * p * (1 - p)).squareRoot()
        return Test(statistic: z, pValue: min(1, total))
    }
}
