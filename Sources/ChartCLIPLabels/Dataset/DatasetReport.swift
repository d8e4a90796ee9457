import ChartCLIPMarket
import Foundation

/// What `DatasetPreparation` did: the samples it skipped and why, the charts the embargo
/// dropped, and the class balance of every split. Written as `report.md` and `report.json`.
public struct DatasetReport: Sendable {
    /// The input folder as given.
    public var input: String
    /// The options used.
    public var options: DatasetPreparation.Options
    /// Incomplete or corrupt samples, with reasons.
    public var skipped: [TrainingDataInventory.Problem]
    /// Samples dropped so that windows of different splits never overlap.
    public var embargoed: [String]
    /// Label distribution per split.
    public var balance: [DatasetSplit: LabelDistribution]
    /// Images of an earlier run removed because they are no longer in the dataset (printed,
    /// not written: the files depend on the input only).
    public var removedStaleImages = 0

    /// Rows per split.
    public var counts: [DatasetSplit: Int] { balance.mapValues(\.total) }

    /// Rows in the dataset.
    public var rows: Int { balance.values.reduce(0) { $0 + $1.total } }

    /// The report for people: counts, class balance per split, skipped samples.
    public func markdown() -> String {
        var text = "# Vision dataset report\n\n"
        text += "Input: `\(input)`. Rows: \(rows). Skipped samples: \(skipped.count). "
        text += "Dropped by the embargo between splits: \(embargoed.count).\n\n"
        let s = options.split
        text += "Split by time per symbol: val \(s.valFraction), test \(s.testFraction)"
        text += s.holdoutSymbols.isEmpty ? ".\n\n" : "; held-out symbols: \(s.holdoutSymbols.sorted().joined(separator: ", ")).\n\n"
        text += "## Class balance per split\n\n"
        let splits = DatasetSplit.allCases.filter { balance[$0] != nil }
        text += "| class | " + splits.map(\.rawValue).joined(separator: " | ") + " |\n"
        text += "|---|" + String(repeating: "---:|", count: splits.count) + "\n"
        text += "| **total** | " + splits.map { String(balance[$0]!.total) }.joined(separator: " | ") + " |\n"
        for match in CaptionTemplates.setupMatches {
            let cells = splits.map { String(balance[$0]!.setups[match.description] ?? 0) }
            text += "| \(match) | " + cells.joined(separator: " | ") + " |\n"
        }
        for phase in PhaseType.allCases {
            let cells = splits.map { String(balance[$0]!.phases[phase] ?? 0) }
            text += "| phase \(phase.rawValue) | " + cells.joined(separator: " | ") + " |\n"
        }
        text += "\n## Skipped samples\n\n"
        text += skipped.isEmpty ? "None.\n" : skipped.map { "- `\($0.sample)`: \($0.reason)" }.joined(separator: "\n") + "\n"
        return text
    }

    /// The report for machines (keys sorted, so equal inputs give equal bytes).
    public func json() throws -> Data {
        struct SplitBalance: Encodable {
            var rows: Int
            var setups: [String: Int]
            var phases: [String: Int]
        }
        struct Body: Encodable {
            var input: String
            var rows: Int
            var valFraction: Double
            var testFraction: Double
            var holdoutSymbols: [String]
            var embargoMs: Int64
            var captionSeed: UInt64
            var splits: [String: SplitBalance]
            var skipped: [TrainingDataInventory.Problem]
            var embargoed: [String]

            enum CodingKeys: String, CodingKey {
                case input, rows, splits, skipped, embargoed
                case valFraction = "val_fraction", testFraction = "test_fraction", holdoutSymbols = "holdout_symbols"
                case embargoMs = "embargo_ms", captionSeed = "caption_seed"
            }
        }
        var splits: [String: SplitBalance] = [:]
        for (split, d) in balance {
            splits[split.rawValue] = SplitBalance(
                rows: d.total, setups: d.setups,
                phases: Dictionary(uniqueKeysWithValues: d.phases.map { ($0.key.rawValue, $0.value) }))
        }
        let s = options.split
        let body = Body(
            input: input, rows: rows, valFraction: s.valFraction, testFraction: s.testFraction,
            holdoutSymbols: s.holdoutSymbols.sorted(), embargoMs: s.embargoMs, captionSeed: options.captionSeed,
            splits: splits, skipped: skipped, embargoed: embargoed)
        return try LabelJSON.pretty(body)
    }
}
