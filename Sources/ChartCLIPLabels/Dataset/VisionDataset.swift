import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// A split of the vision dataset.
public enum DatasetSplit: String, Sendable, Codable, CaseIterable, Comparable {
    /// The oldest part of each symbol's charts.
    case train
    /// The part after train (model selection, regularisation).
    case val
    /// The newest part of each symbol's charts.
    case test
    /// Every chart of the held-out symbols: a test on markets never seen in training.
    case holdout

    /// Orders train < val < test < holdout.
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The dataset `chartclip prepare-dataset` writes, as training and evaluation read it:
/// `vision_dataset/dataset.csv` with one row per chart.
public struct VisionDataset: Sendable {
    /// One chart with its caption and label.
    public struct Row: Equatable, Sendable {
        /// Path of the image relative to the dataset folder, e.g. `images/BTCUSDT_20250623_1400_chart.png`.
        public var filepath: String
        /// The image's location.
        public var imageURL: URL
        /// The training caption.
        public var caption: String
        /// The label.
        public var label: ChartLabel
        /// Trading pair.
        public var symbol: String
        /// Close time of the chart's last candle, ISO 8601 UTC.
        public var timestamp: String
        /// The same, UTC ms.
        public var timestampMs: Int64
        /// The split.
        public var split: DatasetSplit

        /// A row from its fields (`load` reads them from dataset.csv).
        public init(
            filepath: String, imageURL: URL, caption: String, label: ChartLabel, symbol: String, timestamp: String, timestampMs: Int64,
            split: DatasetSplit
        ) {
            self.filepath = filepath
            self.imageURL = imageURL
            self.caption = caption
            self.label = label
            self.symbol = symbol
            self.timestamp = timestamp
            self.timestampMs = timestampMs
            self.split = split
        }
    }

    /// The dataset folder.
    public let root: URL
    /// Every row, in file order (symbol, then time).
    public let rows: [Row]

    /// The CSV's file name inside a dataset folder.
    public static let csvName = "dataset.csv"

    /// Creates a dataset from rows (for tests and for subsets).
    public init(root: URL, rows: [Row]) {
        self.root = root
        self.rows = rows
    }

    /// Loads a dataset from its folder or its CSV file; every row is checked strictly (errors
    /// name the line and column).
    public static func load(_ url: URL) throws -> VisionDataset {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let csv = exists && isDirectory.boolValue ? url.appendingPathComponent(csvName) : url
        let root = csv.deletingLastPathComponent()
        let text: String
        do {
            text = try String(contentsOf: csv, encoding: .utf8)
        } catch {
            throw ChartCLIPError(
                "cannot read the dataset: \(error.localizedDescription)", at: csv.path,
                hint: "create it with chartclip prepare-dataset --input training_data/ --output vision_dataset/")
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first,
            try DatasetCSV.fields(header.trimmingSuffix("\r"), location: "\(csv.path): line 1") == DatasetCSV.columns
        else {
            throw ChartCLIPError(
                "the header is not \(DatasetCSV.columns.joined(separator: ","))", at: "\(csv.path): line 1",
                hint: "re-create the dataset with chartclip prepare-dataset")
        }
        var rows: [Row] = []
        rows.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated().dropFirst() {
            rows.append(try row(line.trimmingSuffix("\r"), root: root, location: "\(csv.path): line \(i + 1)"))
        }
        return VisionDataset(root: root, rows: rows)
    }

    /// The rows of `split`.
    public func rows(in split: DatasetSplit) -> [Row] {
        rows.filter { $0.split == split }
    }

    /// The dataset restricted to `splits`.
    public func filtered(to splits: Set<DatasetSplit>) -> VisionDataset {
        VisionDataset(root: root, rows: rows.filter { splits.contains($0.split) })
    }

    /// Number of rows per split.
    public var splitCounts: [DatasetSplit: Int] {
        rows.reduce(into: [:]) { $0[$1.split, default: 0] += 1 }
    }

    private static func row(_ line: Substring, root: URL, location: String) throws -> Row {
        let f = try DatasetCSV.fields(line, location: location)
        guard f.count == DatasetCSV.columns.count else {
            throw ChartCLIPError("expected \(DatasetCSV.columns.count) fields, found \(f.count)", at: location)
        }
        func bad(_ column: String, _ value: String, _ expected: String) -> ChartCLIPError {
            ChartCLIPError("\(column) is \"\(value)\", expected \(expected)", at: location)
        }
        guard let setup = SetupType(vocabularyWord: f[2]) else {
            throw bad("setup_type", f[2], SetupType.allCases.map(\.rawValue).joined(separator: "|"))
        }
        guard let direction = SetupDirection(rawValue: f[3]) else { throw bad("setup_direction", f[3], "up|down|none") }
        guard let phase = PhaseType(rawValue: f[4]) else {
            throw bad("phase_type", f[4], PhaseType.allCases.map(\.rawValue).joined(separator: "|"))
        }
        guard let confidence = Double(f[5]) else { throw bad("confidence", f[5], "a number in 0–1") }
        guard let time = UTCTime.parseISO(f[7]) else { throw bad("timestamp", f[7], "an ISO 8601 UTC time") }
        guard let split = DatasetSplit(rawValue: f[8]) else { throw bad("split", f[8], "train|val|test|holdout") }
        guard !f[0].isEmpty, !f[0].hasPrefix("/"), !f[0].split(separator: "/").contains("..") else {
            throw bad("filepath", f[0], "a path inside the dataset folder")
        }
        let label = ChartLabel(setupType: setup, setupDirection: direction, phaseType: phase, confidence: confidence)
        try label.validate(at: location)
        return Row(
            filepath: f[0], imageURL: root.appendingPathComponent(f[0]), caption: f[1], label: label, symbol: f[6],
            timestamp: f[7], timestampMs: time, split: split)
    }
}

extension Substring {
    /// The text without one trailing `suffix` character (a CRLF file's `\r`).
    func trimmingSuffix(_ suffix: Character) -> Substring {
        last == suffix ? dropLast() : self
    }
}
