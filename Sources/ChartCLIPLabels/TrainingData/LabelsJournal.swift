import ChartCLIPSupport
import Foundation

/// `training_data/labels.jsonl`: one `TrainingSampleLabel` per line, appended as samples are
/// committed, never truncated, never holding a sample twice.
///
/// The label files are the truth; the journal is their log. A scan that stopped between a
/// label file and its journal line is repaired by the next scan (`appendIfMissing`), and a
/// line torn by a crash is left alone (readers skip it) and the next line starts on a line
/// of its own.
public final class LabelsJournal: @unchecked Sendable {
    /// The journal file.
    public let url: URL
    private var samples: Set<String>
    private var intervals: [String: Set<String>] = [:]
    private let lock = NSLock()

    /// The journal's file name inside a training-data folder.
    public static let fileName = "labels.jsonl"

    /// Opens (without creating) the journal of `folder`, reading which samples it holds.
    public init(folder: URL) throws {
        url = folder.appendingPathComponent(Self.fileName)
        samples = []
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the labels journal: \(error.localizedDescription)", at: url.path)
        }
        for record in Self.records(in: data).records {
            samples.insert(record.sample)
            intervals[record.symbol, default: []].insert(record.interval)
        }
        if let last = data.last, last != 0x0A {
            // A torn last line: end it so the next record gets a line of its own.
            try AtomicFile.appendLine("", to: url)
        }
    }

    /// Whether the journal holds `sample`.
    public func contains(_ sample: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return samples.contains(sample)
    }

    /// The candle intervals the journal holds charts of for `symbol` (`15m`, `1h`, …).
    public func intervals(of symbol: String) -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return intervals[symbol] ?? []
    }

    /// Appends `record` unless the journal already holds its sample.
    public func appendIfMissing(_ record: TrainingSampleLabel) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !samples.contains(record.sample) else { return }
        try AtomicFile.appendLine(try LabelJSON.line(record), to: url)
        samples.insert(record.sample)
        intervals[record.symbol, default: []].insert(record.interval)
    }

    /// Reads every record of a journal file, one per sample (the first line of a sample wins,
    /// as when appending); lines that are not records (torn by a crash, edited by hand) are
    /// listed, not fatal. `duplicateLines`: lines whose sample an earlier line already gave.
    public static func loadCounted(_ url: URL) throws -> (records: [TrainingSampleLabel], badLines: [Int], duplicateLines: [Int]) {
        var seen = Set<String>()
        var records: [TrainingSampleLabel] = [], duplicates: [Int] = []
        let (all, bad, lines) = numberedRecords(in: try read(url))
        for (record, line) in zip(all, lines) {
            if seen.insert(record.sample).inserted { records.append(record) } else { duplicates.append(line) }
        }
        return (records, bad, duplicates)
    }

    /// Reads every record of a journal file; lines that are not records (torn by a crash,
    /// edited by hand) are counted, not fatal.
    public static func load(_ url: URL) throws -> (records: [TrainingSampleLabel], badLines: [Int]) {
        records(in: try read(url))
    }

    private static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the labels journal: \(error.localizedDescription)", at: url.path)
        }
    }

    static func records(in data: Data) -> (records: [TrainingSampleLabel], badLines: [Int]) {
        let (records, bad, _) = numberedRecords(in: data)
        return (records, bad)
    }

    /// The records with their 1-based line numbers, and the lines that are not records.
    static func numberedRecords(in data: Data) -> (records: [TrainingSampleLabel], badLines: [Int], lines: [Int]) {
        var records: [TrainingSampleLabel] = []
        var bad: [Int] = [], lines: [Int] = []
        let decoder = JSONDecoder()
        for (i, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if let record = try? decoder.decode(TrainingSampleLabel.self, from: Data(line)) {
                records.append(record)
                lines.append(i + 1)
            } else {
                bad.append(i + 1)
            }
        }
        return (records, bad, lines)
    }
}
