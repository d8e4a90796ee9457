import ChartCLIPSupport
import Foundation

/// What appending outcomes to the logs did.
public struct FeedbackLogWrite: Equatable, Sendable {
    /// Lines appended.
    public var written: Int
    /// Outcomes whose key was already in their file, so nothing was written.
    public var alreadyLogged: Int
    /// Files appended to.
    public var files: [URL]
}

/// Everything read back from the logs.
public struct FeedbackLogContents: Sendable {
    /// One outcome per key (the first line of a key wins, should two runs have raced).
    public var outcomes: [FeedbackOutcome]
    /// Lines that are not outcomes, as `file:line`.
    public var damagedLines: [String]
}

/// The feedback logs, `data/cv_feedback_logs/{symbol}_{YYYYMMDD_HHMM}.jsonl`: one file per
/// prediction, one JSON line per horizon (and barrier).
///
/// Appending is idempotent: a line whose key is already in its file is not written again, so
/// the loop can run after every scan. Files are only ever appended to (`AtomicFile.appendLine`,
/// one `write` per line), never rewritten.
public enum FeedbackLog {
    /// `data/cv_feedback_logs` under a data folder.
    public static func defaultDirectory(dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("cv_feedback_logs")
    }

    /// The file of an outcome: `{symbol}_{YYYYMMDD_HHMM}.jsonl` after the prediction's time.
    public static func fileURL(for outcome: FeedbackOutcome, in directory: URL) -> URL {
        let stamp = UTCTime.parseISO(outcome.predictionTime).map { UTCTime.fileStamp(milliseconds: $0) }
            ?? outcome.predictionTime
        return directory.appendingPathComponent("\(outcome.symbol)_\(stamp).jsonl")
    }

    /// Appends every outcome whose key its file does not hold yet.
    @discardableResult
    public static func append(_ outcomes: [FeedbackOutcome], to directory: URL) throws -> FeedbackLogWrite {
        var keysByFile: [URL: Set<String>] = [:]
        var result = FeedbackLogWrite(written: 0, alreadyLogged: 0, files: [])
        for outcome in outcomes {
            let url = fileURL(for: outcome, in: directory)
            var keys = try keysByFile[url] ?? existingKeys(url)
            if keys.contains(outcome.key) {
                result.alreadyLogged += 1
            } else {
                try AtomicFile.appendLine(try DecisionJSON.line(outcome), to: url)
                keys.insert(outcome.key)
                result.written += 1
                if !result.files.contains(url) { result.files.append(url) }
            }
            keysByFile[url] = keys
        }
        return result
    }

    /// Reads every `.jsonl` file of `directory`, oldest prediction first.
    ///
    /// - Throws: when the folder cannot be listed.
    public static func read(_ directory: URL) throws -> FeedbackLogContents {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ChartCLIPError(
                "cannot list the feedback logs", at: directory.path,
                hint: "run chartclip feedback first, or pass --logs with the folder it wrote")
        }
        var seen = Set<String>()
        var contents = FeedbackLogContents(outcomes: [], damagedLines: [])
        let decoder = JSONDecoder()
        for name in names.sorted() where name.hasSuffix(".jsonl") && !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            for (number, line) in try lines(url) {
                guard let outcome = try? decoder.decode(FeedbackOutcome.self, from: Data(line.utf8)) else {
                    contents.damagedLines.append("\(url.path):\(number)")
                    continue
                }
                if seen.insert(outcome.key).inserted { contents.outcomes.append(outcome) }
            }
        }
        contents.outcomes.sort { ($0.predictionTime, $0.symbol, $0.key) < ($1.predictionTime, $1.symbol, $1.key) }
        return contents
    }

    /// The keys already logged in `url` (none when it does not exist yet).
    static func existingKeys(_ url: URL) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        struct Keyed: Decodable { var key: String }
        let decoder = JSONDecoder()
        return Set(try lines(url).compactMap { try? decoder.decode(Keyed.self, from: Data($0.text.utf8)).key })
    }

    /// Non-blank lines with their 1-based numbers.
    private static func lines(_ url: URL) throws -> [(number: Int, text: String)] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the feedback log: \(error.localizedDescription)", at: url.path)
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated().compactMap { index, line in
                line.allSatisfy(\.isWhitespace) ? nil : (index + 1, String(line))
            }
    }
}
