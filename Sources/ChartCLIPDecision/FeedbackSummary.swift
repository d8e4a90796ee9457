import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Hit rate of one setup at one horizon, beside the base rate of the same move.
public struct FeedbackSummaryRow: Codable, Equatable, Sendable {
    /// The setup in the users' words, or `all` for every applicable setup together.
    public var setup: String
    /// The horizon, `2h`.
    public var horizon: String
    /// The barrier, `+2%/-1%`.
    public var barrier: String
    /// Logged lines (predictions) of the setup.
    public var count: Int
    /// Lines with a direction to check.
    public var applicable: Int
    /// Lines whose target was reached first.
    public var hits: Int
    /// `hits / applicable`, `nil` when nothing is applicable.
    public var hitRate: Double?
    /// Mean of the lines' base rates: how often a random entry at the same times, in the
    /// same direction, with the same barrier, reached the target.
    public var baseRate: Double?
    /// `hitRate − baseRate`: what the setup adds over chance.
    public var lift: Double?
    /// Wilson 95% interval of `hitRate`.
    public var hitRateInterval: Proportions.Interval?
    /// Two-sided p-value of the exact binomial test of `hits` out of `applicable` against
    /// `baseRate`: how often chance alone would stray as far from the base rate.
    public var pValueAgainstBase: Double?
    /// Mean return at the horizon in the setup's direction.
    public var meanReturnAtHorizon: Double?
    /// Mean return of the barrier trades (gross).
    public var meanTradeReturn: Double?
    /// Lines with a ground-truth setup.
    public var classified: Int
    /// Share of those whose predicted setup was right.
    public var classificationAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case setup, horizon, barrier, count, applicable, hits, lift, classified
        case hitRate = "hit_rate"
        case baseRate = "base_rate"
        case hitRateInterval = "hit_rate_interval_95"
        case pValueAgainstBase = "p_value_against_base"
        case meanReturnAtHorizon = "mean_return_at_horizon"
        case meanTradeReturn = "mean_trade_return"
        case classificationAccuracy = "classification_accuracy"
    }
}

/// `chartclip feedback --summary`: hit rate per setup and horizon beside its base rate,
/// with counts, from logged or replayed outcomes.
public struct FeedbackSummary: Codable, Equatable, Sendable {
    /// Rows by horizon (shortest first), barrier, then setup; each horizon and barrier ends
    /// with an `all` row over the applicable setups.
    public var rows: [FeedbackSummaryRow]

    /// Summarises outcomes (one per key; see `FeedbackLog.read`).
    public init(outcomes: [FeedbackOutcome]) {
        var groups: [String: [FeedbackOutcome]] = [:]
        for o in outcomes { groups["\(o.horizon)|\(o.barrier)|\(o.setup)", default: []].append(o) }
        let horizons = Set(outcomes.map { "\($0.horizon)|\($0.barrier)" }).sorted { a, b in
            (Self.minutes(a), a) < (Self.minutes(b), b)
        }
        var rows: [FeedbackSummaryRow] = []
        for pair in horizons {
            let parts = pair.split(separator: "|", maxSplits: 1).map(String.init)
            let setups = Set(outcomes.filter { "\($0.horizon)|\($0.barrier)" == pair }.map(\.setup))
                .sorted { (Self.order($0), $0) < (Self.order($1), $1) }
            for setup in setups {
                rows.append(Self.row(setup, parts[0], parts[1], groups["\(pair)|\(setup)"] ?? []))
            }
            let all = outcomes.filter { "\($0.horizon)|\($0.barrier)" == pair && $0.applicable }
            rows.append(Self.row("all", parts[0], parts[1], all))
        }
        self.rows = rows
    }

    /// A fixed-width table for the terminal.
    public var table: String {
        let header = [
            "setup", "horizon", "barrier", "n", "applic.", "hits", "hit rate", "95% CI", "base rate", "lift", "p vs base", "mean ret",
            "trade ret", "classified", "accuracy",
        ]
        var lines = [header]
        for r in rows {
            lines.append([
                r.setup, r.horizon, r.barrier, "\(r.count)", "\(r.applicable)", "\(r.hits)", Self.percent(r.hitRate),
                Self.interval(r.hitRateInterval), Self.percent(r.baseRate), Self.points(r.lift), Self.pValue(r.pValueAgainstBase),
                Self.percent(r.meanReturnAtHorizon, signed: true),
                Self.percent(r.meanTradeReturn, signed: true), "\(r.classified)", Self.percent(r.classificationAccuracy),
            ])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column < 3 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func row(_ setup: String, _ horizon: String, _ barrier: String, _ group: [FeedbackOutcome]) -> FeedbackSummaryRow {
        let applicable = group.filter(\.applicable)
        let hits = applicable.filter { $0.success == true }.count
        let hitRate = applicable.isEmpty ? nil : Double(hits) / Double(applicable.count)
        let baseRate = mean(applicable.compactMap(\.baseRate))
        let judged = group.compactMap(\.classificationCorrect)
        return FeedbackSummaryRow(
            setup: setup, horizon: horizon, barrier: barrier, count: group.count, applicable: applicable.count,
            hits: hits, hitRate: hitRate, baseRate: baseRate,
            lift: hitRate.flatMap { h in baseRate.map { h - $0 } },
            hitRateInterval: Proportions.wilson(successes: hits, trials: applicable.count),
            pValueAgainstBase: baseRate.flatMap { Proportions.binomialTest(successes: hits, trials: applicable.count, rate: $0)?.pValue },
            meanReturnAtHorizon: mean(applicable.compactMap(\.returnAtHorizon)),
            meanTradeReturn: mean(applicable.compactMap(\.tradeReturn)), classified: judged.count,
            classificationAccuracy: judged.isEmpty ? nil : Double(judged.filter { $0 }.count) / Double(judged.count))
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The setups in the order the users list them; unknown words after, alphabetically.
    static func order(_ setup: String) -> Int {
        let known = SetupType.allCases.map(SetupWords.userWord)
        return known.firstIndex(of: setup) ?? known.count
    }

    static func minutes(_ pair: String) -> Int {
        let horizon = String(pair.prefix { $0 != "|" })
        return (try? CandleInterval(parsing: horizon))?.minutes ?? Int.max
    }

    static func percent(_ x: Double?, signed: Bool = false) -> String {
        guard let x else { return "-" }
        return String(format: signed ? "%+.2f%%" : "%.1f%%", 100 * x)
    }

    static func interval(_ x: Proportions.Interval?) -> String {
        guard let x else { return "-" }
        return String(format: "%.1f-%.1f%%", 100 * x.lower, 100 * x.upper)
    }

    static func pValue(_ p: Double?) -> String {
        guard let p else { return "-" }
        return p < 0.001 ? String(format: "%.0e", p) : String(format: "%.3f", p)
    }

    static func points(_ x: Double?) -> String {
        guard let x else { return "-" }
        return String(format: "%+.1fpp", 100 * x)
    }
}
