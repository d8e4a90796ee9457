import ChartCLIPSupport
import Foundation

/// How close each chart's label sits to the rules' thresholds: a `chartclip label-stats
/// --margins … --charts FILE.csv` file, read so an evaluation can score the charts whose
/// setup type holds when every threshold moves by a margin apart from those whose type
/// changes (and so hangs on distances of a pixel or less).
public struct ChartSharpness: Sendable {
    /// The margins of the file's `changes_at_<margin>` columns, in column order.
    public let margins: [Double]
    /// Per `symbol|timestamp`, whether the setup type changes at each margin.
    let changes: [String: [Bool]]

    /// Per chart, whether its type changes at each margin (`changes[symbol|timestamp]`).
    public init(margins: [Double], changes: [String: [Bool]]) {
        self.margins = margins
        self.changes = changes
    }

    /// Whether the chart of `symbol` closing at `timestamp` (ISO 8601, as in dataset.csv)
    /// changes setup type at each margin; `nil` when the file has no such chart.
    public func changes(symbol: String, timestamp: String) -> [Bool]? { changes[symbol + "|" + timestamp] }

    /// Reads a `label-stats --charts` file.
    ///
    /// - Throws: naming the file, line and column, when the header lacks `symbol`,
    ///   `timestamp` or any `changes_at_<margin>` column, or a value is not `true`/`false`.
    public static func load(_ url: URL) throws -> ChartSharpness {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ChartCLIPError("cannot read the label sharpness file", at: url.path, hint: "write it with chartclip label-stats --margins 0.15 --charts FILE.csv")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let symbolColumn = header.firstIndex(of: "symbol"),
            let timeColumn = header.firstIndex(of: "timestamp")
        else {
            throw ChartCLIPError(
                "line 1 must name the columns symbol and timestamp", at: url.path,
                hint: "write the file with chartclip label-stats --margins 0.15 --charts FILE.csv")
        }
        var marginColumns: [(column: Int, margin: Double)] = []
        for (column, name) in header.enumerated() where name.hasPrefix("changes_at_") {
            guard let margin = Double(name.dropFirst("changes_at_".count)), margin > 0, margin < 1 else {
                throw ChartCLIPError("column \(column + 1) (\(name)) does not name a margin between 0 and 1", at: url.path)
            }
            marginColumns.append((column, margin))
        }
        guard !marginColumns.isEmpty else {
            throw ChartCLIPError(
                "line 1 has no changes_at_<margin> column", at: url.path,
                hint: "give label-stats --margins, e.g. --margins 0.05 0.15")
        }
        var changes: [String: [Bool]] = [:]
        for (index, fields) in lines.enumerated().dropFirst() {
            guard fields.count == header.count else {
                throw ChartCLIPError("line \(index + 1) has \(fields.count) fields, the header \(header.count)", at: url.path)
            }
            changes[fields[symbolColumn] + "|" + fields[timeColumn]] = try marginColumns.map { column, _ in
                switch fields[column] {
                case "true": return true
                case "false": return false
                default:
                    throw ChartCLIPError(
                        "line \(index + 1), column \(header[column]): expected true or false, got '\(fields[column])'", at: url.path)
                }
            }
        }
        return ChartSharpness(margins: marginColumns.map(\.margin), changes: changes)
    }
}

/// The evaluation of the charts whose setup type holds, or changes, when the thresholds move
/// by one margin (`Evaluator.sharpness`).
public struct SharpnessGroup: Codable, Equatable, Sendable {
    /// The margin, e.g. 0.15 for ±15%.
    public var margin: Double
    /// `true`: the charts whose setup type holds at ±margin; `false`: those whose type changes.
    public var holds: Bool
    /// Charts in the group.
    public var count: Int
    /// Share of `none` labels in the group.
    public var noneShare: Double
    public var zeroShotSetupType: ClassificationMetrics
    public var zeroShotSetupTypeWithPrior: ClassificationMetrics?
    public var zeroShotSetup: ClassificationMetrics
    public var linearProbeSetup: ClassificationMetrics?
}
