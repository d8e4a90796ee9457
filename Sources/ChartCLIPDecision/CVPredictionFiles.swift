import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// A prediction read from disk, with the file it came from.
public struct CVPredictionFile: Equatable, Sendable {
    /// The file.
    public var url: URL
    /// Its prediction.
    public var prediction: CVPrediction

    /// Pairs a prediction with its file.
    public init(url: URL, prediction: CVPrediction) {
        self.url = url
        self.prediction = prediction
    }
}

/// Everything in a prediction folder: the files that read, and those that did not (each
/// with the reason), so one damaged file never hides the others.
public struct CVPredictionFolder: Sendable {
    /// Readable predictions, oldest first (ties by symbol).
    public var files: [CVPredictionFile]
    /// Files that could not be read, with why.
    public var failures: [(url: URL, error: ChartCLIPError)]

    /// The predictions alone, oldest first.
    public var predictions: [CVPrediction] { files.map(\.prediction) }
}

/// What looking for a symbol's prediction found. The decision engine turns every case into
/// a reason; none of them is an error that stops a decision.
public enum CVPredictionLookup: Equatable, Sendable {
    /// A prediction, and the file it came from (`nil` for one given in memory).
    case found(CVPrediction, file: String?)
    /// No prediction to use, and why (no folder, no file for the symbol, …).
    case missing(reason: String)
    /// The newest file exists but cannot be read.
    case unreadable(file: String, error: String)
}

/// Prediction files: their names, the atomic writer, the folder reader, and the lookup of
/// the newest prediction of a symbol.
///
/// Files are named `SYMBOL_YYYYMMDD_HHMM.json` after the UTC close of the chart's newest
/// candle, so a name sorts by time within a symbol and never collides with the next scan's.
public enum CVPredictionFiles {
    /// `data/cv_predictions` and `data/vision_ai/predictions` under a data folder: the two
    /// places the users' system reads predictions from.
    public static func defaultDirectories(dataDirectory: URL) -> [URL] {
        [
            dataDirectory.appendingPathComponent("cv_predictions"),
            dataDirectory.appendingPathComponent("vision_ai/predictions"),
        ]
    }

    /// `JSTUSDT_20250623_1045.json`; a second record at the same time (another predictor, or
    /// a prediction that changed) is `JSTUSDT_20250623_1045_2.json`, and so on.
    public static func fileName(symbol: String, timestamp: Int64, sequence: Int = 1) -> String {
        "\(symbol)_\(UTCTime.fileStamp(milliseconds: timestamp))\(sequence > 1 ? "_\(sequence)" : "").json"
    }

    /// The symbol and UTC time (milliseconds) of a `SYMBOL_YYYYMMDD_HHMM.json` or
    /// `SYMBOL_YYYYMMDD_HHMM_N.json` name, or `nil` for any other name.
    public static func parseFileName(_ name: String) -> (symbol: String, timestamp: Int64)? {
        parseRecordName(name).map { ($0.symbol, $0.timestamp) }
    }

    /// The symbol, UTC time (milliseconds) and record number (1 when the name has no `_N`) of
    /// a prediction file name. The symbol may itself hold underscores; the stamp is the last two
    /// parts, or the two before a record number.
    public static func parseRecordName(_ name: String) -> (symbol: String, timestamp: Int64, sequence: Int)? {
        guard name.hasSuffix(".json") else { return nil }
        let parts = name.dropLast(5).split(separator: "_", omittingEmptySubsequences: false)
        func stamp(at end: Int) -> Int64? {
            guard end >= 2 else { return nil }
            let date = parts[end - 2], time = parts[end - 1]
            guard date.count == 8, time.count == 4, (date + time).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return UTCTime.parseISO("\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))T\(time.prefix(2)):\(time.suffix(2)):00Z")
        }
        var end = parts.count, sequence = 1
        var ms = stamp(at: end)
        if ms == nil, let last = parts.last, (1...6).contains(last.count), last.allSatisfy({ $0.isASCII && $0.isNumber }),
            let n = Int(last), n >= 2
        {
            end -= 1
            sequence = n
            ms = stamp(at: end)
        }
        guard let ms, end >= 3 else { return nil }
        let symbol = parts[0..<(end - 2)].joined(separator: "_")
        guard !symbol.isEmpty else { return nil }
        return (symbol.uppercased(), ms, sequence)
    }

    /// The record number of the prediction file at `path` (1 for `SYMBOL_YYYYMMDD_HHMM.json`
    /// and for any other name).
    public static func recordNumber(ofFile path: String) -> Int {
        parseRecordName(URL(fileURLWithPath: path).lastPathComponent)?.sequence ?? 1
    }

    /// Writes `prediction` into every folder of `directories` (created if needed), each copy
    /// atomically: a reader never sees half a file. A record is never replaced: when
    /// `SYMBOL_YYYYMMDD_HHMM.json` holds another prediction, this one becomes the next record
    /// (`_2`, `_3`, …); when it holds this very prediction, nothing is written again.
    ///
    /// - Returns: the files of the record, in the order of `directories`.
    @discardableResult
    public static func write(_ prediction: CVPrediction, to directories: [URL]) throws -> [URL] {
        let data = try DecisionJSON.pretty(prediction)
        var sequence = 1
        while true {
            let name = fileName(symbol: prediction.symbol, timestamp: prediction.timestamp, sequence: sequence)
            let urls = directories.map { $0.appendingPathComponent(name) }
            let existing = urls.map { FileManager.default.contents(atPath: $0.path) }
            if existing.allSatisfy({ $0 == nil || $0 == data }) {  // free, or already this record
                for (url, old) in zip(urls, existing) where old == nil { try AtomicFile.write(data, to: url) }
                return urls
            }
            sequence += 1
            guard sequence <= 999_999 else {
                throw ChartCLIPError("\(name): a million records at one candle time", at: directories.first?.path)
            }
        }
    }

    /// Reads one prediction file leniently (see `CVPrediction.parse(_:fileName:)`).
    ///
    /// - Throws: `ChartCLIPError` located at the file.
    public static func read(_ url: URL) throws -> CVPrediction {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the prediction file: \(error.localizedDescription)", at: url.path)
        }
        do {
            return try CVPrediction.parse(data, fileName: url.lastPathComponent)
        } catch var error as ChartCLIPError {
            error.location = error.location.map { "\(url.path): \($0)" } ?? url.path
            throw error
        }
    }

    /// Reads every `*.json` file of a folder (hidden files, such as an atomic write's
    /// temporary file, are skipped).
    ///
    /// - Throws: only when the folder itself cannot be listed.
    public static func readFolder(_ directory: URL) throws -> CVPredictionFolder {
        var files: [CVPredictionFile] = []
        var failures: [(url: URL, error: ChartCLIPError)] = []
        for url in try listJSON(directory) {
            do {
                files.append(CVPredictionFile(url: url, prediction: try read(url)))
            } catch let error as ChartCLIPError {
                failures.append((url, error))
            }
        }
        func record(_ f: CVPredictionFile) -> Int { recordNumber(ofFile: f.url.path) }
        files.sort { ($0.prediction.timestamp, $0.prediction.symbol, record($0)) < ($1.prediction.timestamp, $1.prediction.symbol, record($1)) }
        return CVPredictionFolder(files: files, failures: failures)
    }

    static func listJSON(_ directory: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ChartCLIPError(
                "cannot list the prediction folder", at: directory.path,
                hint: "check the path (predictions are written to data/cv_predictions by chartclip predict)")
        }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }
}

/// The newest prediction file of `symbol` in `directory`: the users' `load_cv_prediction`.
///
/// Files are chosen by the time in their names (`SYMBOL_YYYYMMDD_HHMM.json`), and at one
/// time by the record number (`_2`, `_3`: the latest written); only the newest is read. When `asOf` is given (UTC ms, the close of the newest candle a decision sees),
/// files stamped after it are passed over, so a replay of history never reads a prediction
/// from its future. A newest file that cannot be read is reported as such rather than
/// silently replaced by an older one.
public func loadCVPrediction(symbol: String, directory: URL, asOf: Int64? = nil) -> CVPredictionLookup {
    guard let urls = try? CVPredictionFiles.listJSON(directory) else {
        return .missing(reason: "no prediction folder \(directory.path)")
    }
    let wanted = symbol.uppercased()
    var newest: (url: URL, timestamp: Int64, sequence: Int)?
    var later = 0
    for url in urls {
        guard let parsed = CVPredictionFiles.parseRecordName(url.lastPathComponent), parsed.symbol == wanted else { continue }
        if let asOf, parsed.timestamp > asOf {
            later += 1
            continue
        }
        // The newest time; at one time, the latest record.
        if (parsed.timestamp, parsed.sequence) >= (newest?.timestamp ?? .min, newest?.sequence ?? .min) {
            newest = (url, parsed.timestamp, parsed.sequence)
        }
    }
    guard let newest else {
        let note = later > 0 ? " at or before \(UTCTime.iso(milliseconds: asOf ?? 0)) (\(later) later file(s) skipped)" : ""
        return .missing(reason: "no prediction file for \(wanted) in \(directory.path)\(note)")
    }
    do {
        let prediction = try CVPredictionFiles.read(newest.url)
        guard prediction.symbol == wanted else {
            return .unreadable(file: newest.url.path, error: "the file holds a prediction for \(prediction.symbol)")
        }
        return .found(prediction, file: newest.url.path)
    } catch let error as ChartCLIPError {
        return .unreadable(file: newest.url.path, error: error.message)
    } catch {
        return .unreadable(file: newest.url.path, error: "\(error)")
    }
}
