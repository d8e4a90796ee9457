import ChartCLIPSupport
import ChartCLIPMarket
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
    /// Per `symbol|timestamp`, the thresholds that change the type alone at each margin;
    /// empty when the file has no `deciding_at_<margin>` columns (written before they were).
    let deciding: [String: [[String]]]
    /// Per `symbol|timestamp`, the bar counts that change the type when moved by one bar;
    /// empty when the file has no `deciding_bar_counts` column (written before it was).
    let decidingBarCounts: [String: [String]]

    /// Per chart, whether its type changes at each margin (`changes[symbol|timestamp]`),
    /// which thresholds change it alone, and which bar counts change it by one bar.
    public init(
        margins: [Double], changes: [String: [Bool]], deciding: [String: [[String]]] = [:], decidingBarCounts: [String: [String]] = [:]
    ) {
        self.margins = margins
        self.changes = changes
        self.deciding = deciding
        self.decidingBarCounts = decidingBarCounts
    }

    /// Whether the chart of `symbol` closing at `timestamp` (ISO 8601, as in dataset.csv)
    /// changes setup type at each margin; `nil` when the file has no such chart.
    public func changes(symbol: String, timestamp: String) -> [Bool]? { changes[symbol + "|" + timestamp] }

    /// Whether the file says which thresholds decide each chart's type.
    public var hasDecidingThresholds: Bool { !deciding.isEmpty }

    /// Per margin, the thresholds (`SetupThresholds.graded` names) that change the setup type
    /// of the chart of `symbol` closing at `timestamp` when moved alone by it; `nil` when the
    /// file has no such chart or no `deciding_at_` columns.
    public func deciding(symbol: String, timestamp: String) -> [[String]]? { deciding[symbol + "|" + timestamp] }

    /// Whether the file says which bar counts decide each chart's type.
    public var hasDecidingBarCounts: Bool { !decidingBarCounts.isEmpty }

    /// The bar counts (`SetupThresholds.counted` names) that change the setup type of the
    /// chart of `symbol` closing at `timestamp` when one alone moves by one bar; `nil` when the
    /// file has no such chart or no `deciding_bar_counts` column.
    public func decidingBarCounts(symbol: String, timestamp: String) -> [String]? { decidingBarCounts[symbol + "|" + timestamp] }

    static let changesPrefix = "changes_at_"
    static let decidingPrefix = "deciding_at_"
    /// The column naming the bar counts that decide a chart's type.
    public static let barCountsColumn = "deciding_bar_counts"

    /// The column saying whether a chart's type changes at `margin`: `changes_at_0.15`.
    public static func changesColumn(margin: Double) -> String { changesPrefix + "\(margin)" }
    /// The column naming the thresholds that decide a chart's type at `margin`: `deciding_at_0.15`.
    public static func decidingColumn(margin: Double) -> String { decidingPrefix + "\(margin)" }

    /// The file's header line for `margins`.
    public static func header(margins: [Double]) -> String {
        DatasetCSV.line(
            ["symbol", "timestamp", "setup_type", "setup_direction", "phase_type"] + margins.map(changesColumn) + margins.map(decidingColumn)
                + [barCountsColumn])
    }

    /// The file's line for one chart of `symbol`: the deciding thresholds of a margin, and the
    /// deciding bar counts, joined by `;`.
    public static func row(symbol: String, _ reading: LabelDistribution.WindowReading) -> String {
        DatasetCSV.line(
            [
                symbol, UTCTime.iso(milliseconds: reading.closeTimeMs), reading.label.setupType.rawValue,
                reading.label.setupDirection.rawValue, reading.label.phaseType.rawValue,
            ] + reading.changes.map { "\($0)" } + reading.deciding.map { $0.joined(separator: ";") }
                + [reading.decidingBarCounts.joined(separator: ";")])
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
        // Optional: the thresholds deciding each chart, for exactly the margins above.
        var decidingColumns: [Int] = []
        for (_, margin) in marginColumns {
            if let column = header.firstIndex(where: { $0.hasPrefix(decidingPrefix) && Double($0.dropFirst(decidingPrefix.count)) == margin }) {
                decidingColumns.append(column)
            }
        }
        if decidingColumns.count != marginColumns.count { decidingColumns = [] }
        let countsColumn = header.firstIndex(of: barCountsColumn)
        // A `;`-separated list of names from `known` (a kind of them: "setup threshold").
        func names(_ field: String, line: Int, column: String, known: [String], kind: String) throws -> [String] {
            let names = field.split(separator: ";").map(String.init)
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw ChartCLIPError(
                    "line \(line), column \(column): '\(unknown)' is not a \(kind)", at: url.path,
                    hint: "names are \(known.joined(separator: ", "))")
            }
            return names
        }
        var changes: [String: [Bool]] = [:]
        var deciding: [String: [[String]]] = [:]
        var decidingCounts: [String: [String]] = [:]
        for (index, fields) in lines.enumerated().dropFirst() {
            guard fields.count == header.count else {
                throw ChartCLIPError("line \(index + 1) has \(fields.count) fields, the header \(header.count)", at: url.path)
            }
            let key = fields[symbolColumn] + "|" + fields[timeColumn]
            if !decidingColumns.isEmpty {
                deciding[key] = try decidingColumns.map { column in
                    try names(
                        fields[column], line: index + 1, column: header[column], known: SetupThresholds.graded.map(\.name),
                        kind: "setup threshold")
                }
            }
            if let countsColumn {
                decidingCounts[key] = try names(
                    fields[countsColumn], line: index + 1, column: barCountsColumn, known: SetupThresholds.counted.map(\.name),
                    kind: "bar count of the setup rules")
            }
            changes[key] = try marginColumns.map { column, _ in
                switch fields[column] {
                case "true": return true
                case "false": return false
                default:
                    throw ChartCLIPError(
                        "line \(index + 1), column \(header[column]): expected true or false, got '\(fields[column])'", at: url.path)
                }
            }
        }
        return ChartSharpness(
            margins: marginColumns.map(\.margin), changes: changes, deciding: deciding, decidingBarCounts: decidingCounts)
    }
}

/// A prepared dataset's own sharpness file: `vision_dataset/sharpness.csv`, the
/// `label-stats --charts` format for exactly the dataset's charts, which `chartclip eval`
/// reads by default so every report scores sharp and near-threshold charts apart.
extension ChartSharpness {
    /// The file's name beside `dataset.csv`.
    public static let datasetFileName = "sharpness.csv"
    /// The margins a dataset is measured at: 5% (about a pixel on a 128-pixel chart) and 15%.
    public static let standardMargins = [0.05, 0.15]

    /// What `measure` found.
    public struct DatasetMeasurement: Sendable, Equatable {
        /// The file's lines (header first), one per chart measured: symbols in name order,
        /// each symbol's charts in dataset order.
        public var lines: [String]
        /// Charts whose symbol has no series or whose close time is no candle's close in it.
        public var unmatched: Int
        /// Charts measured whose dataset setup type is not the local labeler's (labels from
        /// GPT or the planted ground truth): their rows say how sharp the local label is.
        public var otherLabels: Int
        /// Charts measured.
        public var charts: Int { lines.count - 1 }
    }

    /// Labels each chart of `dataset` again on the candles it was drawn from (the
    /// `window`-candle window of `series` closing at the chart's timestamp) at the standard
    /// thresholds and at each margin, as `label-stats --margins --charts` does.
    ///
    /// - Throws: when two series have the same symbol, or a margin is outside (0, 1).
    public static func measure(
        _ dataset: VisionDataset, series: [CandleSeries], window: Int, margins: [Double] = standardMargins, threads: Int = 0,
        progress: Bool = false
    ) throws -> DatasetMeasurement {
        var bySymbol: [String: CandleSeries] = [:]
        for s in series {
            guard bySymbol.updateValue(s, forKey: s.symbol) == nil else {
                throw ChartCLIPError("two candle series are both \(s.symbol)", hint: "give each symbol's candle file once")
            }
        }
        var result = DatasetMeasurement(lines: [header(margins: margins)], unmatched: 0, otherLabels: 0)
        var rowsBySymbol: [String: [VisionDataset.Row]] = [:]
        for row in dataset.rows { rowsBySymbol[row.symbol, default: []].append(row) }
        for symbol in rowsBySymbol.keys.sorted() {
            let rows = rowsBySymbol[symbol] ?? []
            guard let s = bySymbol[symbol] else {
                result.unmatched += rows.count
                continue
            }
            var indexOfClose: [Int64: Int] = [:]
            for i in s.candles.indices where i >= window - 1 { indexOfClose[s.closeTime(at: i)] = i }
            let matched = rows.filter { indexOfClose[$0.timestampMs] != nil }
            result.unmatched += rows.count - matched.count
            let readings = try LabelDistribution.readings(
                s, ending: matched.map { indexOfClose[$0.timestampMs] ?? 0 }, window: window, margins: margins, threads: threads,
                progress: progress)
            for (row, reading) in zip(matched, readings) {
                if reading.label.setupType != row.label.setupType { result.otherLabels += 1 }
                result.lines.append(self.row(symbol: symbol, reading))
            }
        }
        return result
    }

    /// `measure`s `dataset` and writes its `sharpness.csv` (atomically) into the dataset folder.
    @discardableResult
    public static func write(
        for dataset: VisionDataset, series: [CandleSeries], window: Int, margins: [Double] = standardMargins, threads: Int = 0,
        progress: Bool = false
    ) throws -> DatasetMeasurement {
        let measured = try measure(dataset, series: series, window: window, margins: margins, threads: threads, progress: progress)
        try AtomicFile.write(measured.lines.joined(separator: "\n") + "\n", to: dataset.root.appendingPathComponent(datasetFileName))
        return measured
    }

    /// The dataset folder's own `sharpness.csv`, or nil when it has none.
    public static func ofDataset(at root: URL) throws -> ChartSharpness? {
        let url = root.appendingPathComponent(datasetFileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try load(url)
    }
}
