import Foundation

/// A one-line progress bar on standard error for long work (training, rendering, fetching).
///
/// On a terminal it redraws in place at most ten times a second; when standard error is not
/// a terminal (CI logs, files) it prints a plain line every ~10% so logs stay readable.
public final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var lastDecile = -1
    private let interactive: Bool
    private let lock = NSLock()
    private let enabled: Bool

    /// Creates a bar for `total` units of work. `enabled: false` makes every call a no-op
    /// (quiet mode for tests and library callers).
    public init(total: Int, label: String, enabled: Bool = true) {
        self.total = max(total, 1)
        self.label = label
        self.interactive = isatty(STDERR_FILENO) != 0
        self.enabled = enabled
    }

    /// Seconds since the bar was created.
    public var elapsedSeconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Reports that `done` units are finished, with extra fields such as `loss 0.512`.
    public func update(_ done: Int, _ detail: String = "") {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let fraction = min(Double(done) / Double(total), 1)
        let decile = Int(fraction * 10)
        if interactive {
            guard done >= total || now - lastDraw > 100_000_000 else { return }
        } else {
            guard decile != lastDecile || done >= total else { return }
        }
        lastDraw = now
        lastDecile = decile
        let elapsed = Double(now - start) / 1e9
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var line = "\(label) [\(bar)] \(done)/\(total)"
        if !detail.isEmpty { line += " \(detail)" }
        line += String(format: " %.1f/s ETA %@", rate, Self.duration(eta))
        let text = interactive ? "\r\u{1B}[K" + line + (done >= total ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints `message` on a line of its own (a validation result, a checkpoint): on a
    /// terminal above the bar, which is redrawn by the next update.
    public func note(_ message: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        lastDraw = 0
        FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + message + "\n").utf8))
    }

    /// `1h02m`, `3m05s` or `12s`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
