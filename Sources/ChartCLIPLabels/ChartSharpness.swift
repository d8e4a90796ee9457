import ChartCLIPSupport
import Foundation

/// How close each chart's label sits to the rules' thresholds: the file `chartclip label-stats
/// --margins … --charts FILE.csv` writes (one row per chart: symbol, timestamp as in a
/// dataset.csv, the label, and per margin whether the setup type changes), read back so an
/// evaluation can score the charts whose setup type holds when every threshold moves by a
/// margin apart from those whose type changes (and so hangs on distances of a pixel or less).
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

    static let changesPrefix = "changes_at_"

    /// The file's header line for `margins`.
    public static func header(margins: [Double]) -> String {
        DatasetCSV.line(["symbol", "timestamp", "setup_type", "setup_direction", "phase_type"] + margins.map { changesPrefix + "\($0)" })
    }

    /// The file's line for one chart of `symbol`.
    public static func row(symbol: String, _ reading: LabelDistribution.WindowReading) -> String {
        DatasetCSV.line(
            [
                symbol, UTCTime.iso(milliseconds: reading.closeTimeMs), reading.label.setupType.rawValue,
                reading.label.setupDirection.rawValue, reading.label.phaseType.rawValue,
            ] + reading.changes.map { "\($0)" })
    }

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
        let lines = try text.split(whereSeparator: \.isNewline).enumerated().map { index, line in
            try DatasetCSV.fields(line, location: "\(url.path), line \(index + 1)")
        }
        guard let header = lines.first, let symbolColumn = header.firstIndex(of: "symbol"),
            let timeColumn = header.firstIndex(of: "timestamp")
        else {
            throw ChartCLIPError(
                "line 1 must name the columns symbol and timestamp", at: url.path,
                hint: "write the file with chartclip label-stats --margins 0.15 --charts FILE.csv")
        }
        var marginColumns: [(column: Int, margin: Double)] = []
        for (column, name) in header.enumerated() where name.hasPrefix(changesPrefix) {
            guard let margin = Double(name.dropFirst(changesPrefix.count)), margin > 0, margin < 1 else {
                throw ChartCLIPError("column \(column + 1) (\(name)) does not name a margin between 0 and 1", at: url.path)
            }
            marginColumns.append((column, margin))
        }
        guard !marginColumns.isEmpty else {
            throw ChartCLIPError(
                "line 1 has no \(changesPrefix)<margin> column", at: url.path,
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
