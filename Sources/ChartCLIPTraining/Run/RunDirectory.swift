import ChartCLIPSupport
import Foundation

/// The files of one run: `experiments/<name>/<run id>/` with the resolved config, the code
/// version, `metrics.jsonl`, `checkpoints/latest.h5` and `best.h5`, and the report.
public struct RunDirectory: Sendable {
    /// The run folder.
    public let url: URL

    /// Wraps an existing or new run folder.
    public init(_ url: URL) { self.url = url }

    /// A new run folder `root/<name>/<UTC time>-<random>` (created).
    public static func create(root: URL, name: String) throws -> RunDirectory {
        let stamp = UTCTime.fileStamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let id = "\(stamp)-\(String(UInt32.random(in: 0...0xFFFF), radix: 16))"
        let dir = RunDirectory(root.appendingPathComponent(name).appendingPathComponent(id))
        try AtomicFile.createDirectory(dir.checkpoints)
        return dir
    }

    /// The resolved config (YAML).
    public var config: URL { url.appendingPathComponent("config.yaml") }
    /// Code version, start time, machine.
    public var runInfo: URL { url.appendingPathComponent("run.json") }
    /// One JSON object per line: training steps and evaluations.
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    /// Checkpoint folder.
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    /// The newest checkpoint (model, optimizer, step).
    public var latest: URL { checkpoints.appendingPathComponent("latest.h5") }
    /// The checkpoint with the best validation score.
    public var best: URL { checkpoints.appendingPathComponent("best.h5") }
    /// The evaluation report folder.
    public var report: URL { url.appendingPathComponent("report") }

    /// The run folder holding `checkpoint` (`RUN/checkpoints/best.h5` → `RUN`), when the
    /// checkpoint sits in one (a `config.yaml` next to its folder).
    public static func holding(checkpoint: URL) -> RunDirectory? {
        let run = RunDirectory(checkpoint.deletingLastPathComponent().deletingLastPathComponent())
        guard checkpoint.deletingLastPathComponent().lastPathComponent == "checkpoints",
            FileManager.default.fileExists(atPath: run.config.path)
        else { return nil }
        return run
    }

    /// How the run's charts were drawn, from its resolved config: candles per chart and the
    /// overlays on them; `nil` for a run on a prepared dataset (the config does not say).
    public func chartSettings() throws -> ChartSettings? {
        let config = try ExperimentConfig.load(config)
        return config.synthetic?.chart ?? config.recorded?.chart
    }

    /// Keeps only metric lines with `step` ≤ `step` (rewritten atomically). Steps after the
    /// latest checkpoint are recomputed identically on resume; keeping them would list them
    /// twice.
    public func trimMetrics(toStep step: Int) throws {
        guard let text = try? String(contentsOf: metrics, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let s = object["step"] as? Int
            else { return false }
            return s <= step
        }
        try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: metrics)
    }

    /// Every metric line as a dictionary.
    public func readMetrics() -> [[String: Any]] {
        guard let text = try? String(contentsOf: metrics, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

/// Which code produced a run: the git commit of the working directory, if any.
public enum CodeVersion {
    /// ChartCLIP's version.
    public static let version = "0.1.0"

    /// The running executable, symbolic links resolved.
    public static var executable: URL? { Bundle.main.executableURL?.resolvingSymlinksInPath() }

    /// The version of the code that is running: `git describe` of the checkout the executable
    /// was built in (`CHECKOUT/.build/release/chartclip` → `CHECKOUT`), so a run started from
    /// another folder still names the build's commit; the working directory's when the
    /// executable lies in no checkout (a copied binary).
    public static func current() -> String {
        if let executable, let checkout = checkout(containing: executable) { return describe(directory: checkout) }
        return describe(directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// The nearest folder above `file` that holds a `.git` (a folder, or a file in a git
    /// work tree).
    static func checkout(containing file: URL) -> URL? {
        var folder = file.deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// `git describe --always --dirty` of `directory`, or `unknown`.
    public static func describe(directory: URL) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "describe", "--always", "--dirty"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        do {
            try process.run()
            process.waitUntilExit()
        } catch { return "unknown" }
        guard process.terminationStatus == 0 else { return "unknown" }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
