import ChartCLIPMarket
import ChartCLIPSupport
import Dispatch
import Foundation

/// How often each setup (with direction) and each phase occurs in a set of labels: the
/// `chartclip label-stats` report, and the class balance of dataset splits.
public struct LabelDistribution: Equatable, Sendable {
    /// Labels counted.
    public private(set) var total = 0
    /// Count per setup and direction, keyed `breakout/up`.
    public private(set) var setups: [String: Int] = [:]
    /// Count per setup type regardless of direction.
    public private(set) var setupTypes: [SetupType: Int] = [:]
    /// Count per phase.
    public private(set) var phases: [PhaseType: Int] = [:]
    /// Sum of confidences, for the mean.
    public private(set) var confidenceSum = 0.0

    /// An empty distribution.
    public init() {}

    /// The distribution of `labels`.
    public init(_ labels: some Sequence<ChartLabel>) {
        for label in labels { add(label) }
    }

    /// Counts one label.
    public mutating func add(_ label: ChartLabel) {
        total += 1
        setups[label.match.description, default: 0] += 1
        setupTypes[label.setupType, default: 0] += 1
        phases[label.phaseType, default: 0] += 1
        confidenceSum += label.confidence
    }

    /// Adds another distribution's counts.
    public mutating func merge(_ other: LabelDistribution) {
        total += other.total
        setups.merge(other.setups, uniquingKeysWith: +)
        setupTypes.merge(other.setupTypes, uniquingKeysWith: +)
        phases.merge(other.phases, uniquingKeysWith: +)
        confidenceSum += other.confidenceSum
    }

    /// Mean confidence (0 when empty).
    public var meanConfidence: Double { total > 0 ? confidenceSum / Double(total) : 0 }

    /// A fixed-order table: every setup/direction of the vocabulary, then every phase, each
    /// with count and share; rows with zero counts included, so tables line up across runs.
    public func table(title: String) -> String {
        func row(_ name: String, _ n: Int) -> String {
            let share = total > 0 ? 100 * Double(n) / Double(total) : 0
            return "  " + name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: "%7d  %5.1f%%", n, share)
        }
        var lines = ["\(title): \(total) labels, mean confidence \(String(format: "%.3f", meanConfidence))", " setup"]
        for match in CaptionTemplates.setupMatches { lines.append(row(match.description, setups[match.description] ?? 0)) }
        lines.append(" phase")
        for phase in PhaseType.allCases { lines.append(row(phase.rawValue, phases[phase] ?? 0)) }
        return lines.joined(separator: "\n")
    }

    /// The distribution of the local labeler's labels on every window of `series` (windows of
    /// `window` candles ending every `stride` candles, anchored at the newest), computed on
    /// `threads` threads (0: one per core).
    public static func local(
        _ series: CandleSeries, window: Int, stride: Int, labeler: LocalLabeler = LocalLabeler(), threads: Int = 0,
        progress: Bool = false
    ) throws -> LabelDistribution {
        guard window >= 2, stride >= 1 else {
            throw ChartCLIPError("window must be at least 2 and stride at least 1, got \(window) and \(stride)")
        }
        let count = series.candles.count
        guard count >= window else {
            throw ChartCLIPError(
                "\(series.symbol) has \(count) candles, fewer than one window of \(window)", hint: "use a smaller --window")
        }
        let ends = Array(Swift.stride(from: count - 1, through: window - 1, by: -stride).reversed())
        let workers = max(1, min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, ends.count))
        let parts = LockedParts(count: workers)
        let bar = ProgressBar(total: ends.count, label: "label \(series.symbol)", enabled: progress)
        let done = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var part = LabelDistribution()
            for k in Swift.stride(from: w, to: ends.count, by: workers) {
                let window = (ends[k] - window + 1)...ends[k]
                do {
                    part.add(try labeler.label(candles: series.candles[window]))
                } catch {
                    parts.fail(error)
                    return
                }
                bar.update(done.increment())
            }
            parts.set(w, part)
        }
        return try parts.merged()
    }
}

/// Per-worker distributions and the first error.
private final class LockedParts: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [LabelDistribution]
    private var error: Error?

    init(count: Int) { parts = Array(repeating: LabelDistribution(), count: count) }

    func set(_ k: Int, _ part: LabelDistribution) {
        lock.lock()
        parts[k] = part
        lock.unlock()
    }

    func fail(_ failure: Error) {
        lock.lock()
        if error == nil { error = failure }
        lock.unlock()
    }

    func merged() throws -> LabelDistribution {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw error }
        var total = LabelDistribution()
        for p in parts { total.merge(p) }
        return total
    }
}

/// A counter shared by worker threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Adds one and returns the new value.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
