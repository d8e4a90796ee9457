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
    /// Threshold margins of the sharpness count (`local(…, margins:)`): 0.15 moves every
    /// threshold of the setup rules 15% towards harder and, separately, 15% towards easier to
    /// meet (`SetupThresholds.tightened(by:)`); empty when not counted.
    public private(set) var margins: [Double] = []
    /// Per margin, per setup type of the label: how many labels change setup type when the
    /// thresholds move by that margin either way. Such a chart sits within the margin of a
    /// threshold (relative volume 1.4 against 1.5, ADX 21 against 20, a close 0.09 ATR past
    /// the channel against 0.1), where the picture barely differs on either side.
    public private(set) var setupTypeChanges: [[SetupType: Int]] = []

    /// An empty distribution; with `margins`, one that counts label changes at those margins.
    public init(margins: [Double] = []) {
        self.margins = margins
        setupTypeChanges = Array(repeating: [:], count: margins.count)
    }

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

    /// Counts a label of setup type `type` that changes type when the thresholds move by
    /// `margins[index]`.
    mutating func addChange(margin index: Int, type: SetupType) {
        setupTypeChanges[index][type, default: 0] += 1
    }

    /// Adds another distribution's counts (label changes too, when both counted them at the
    /// same margins).
    public mutating func merge(_ other: LabelDistribution) {
        total += other.total
        setups.merge(other.setups, uniquingKeysWith: +)
        setupTypes.merge(other.setupTypes, uniquingKeysWith: +)
        phases.merge(other.phases, uniquingKeysWith: +)
        confidenceSum += other.confidenceSum
        if margins == other.margins {
            for k in margins.indices { setupTypeChanges[k].merge(other.setupTypeChanges[k], uniquingKeysWith: +) }
        }
    }

    /// Labels that change setup type at `margins[index]`, all types together.
    public func changedLabels(margin index: Int) -> Int { setupTypeChanges[index].values.reduce(0, +) }

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
        if !margins.isEmpty {
            // Per setup type: labels, then how many of them change type at each margin.
            lines.append(
                " setup type changes when the rule thresholds move by "
                    + margins.map { String(format: "±%g%%", 100 * $0) }.joined(separator: ", ") + " (share of the type's labels)")
            func changesRow(_ name: String, count: Int, changed: (Int) -> Int) -> String {
                "  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%7d", count)
                    + margins.indices.map { k in
                        String(format: "  %7d %5.1f%%", changed(k), count > 0 ? 100 * Double(changed(k)) / Double(count) : 0)
                    }.joined()
            }
            for type in SetupType.allCases {
                lines.append(changesRow(type.rawValue, count: setupTypes[type] ?? 0) { setupTypeChanges[$0][type] ?? 0 })
            }
            lines.append(changesRow("all", count: total, changed: changedLabels(margin:)))
        }
        return lines.joined(separator: "\n")
    }

    /// The distribution of the local labeler's labels on every window of `series` (windows of
    /// `window` candles ending every `stride` candles, anchored at the newest), computed on
    /// `threads` threads (0: one per core); see `readings` for `newest` and `margins`.
    public static func local(
        _ series: CandleSeries, window: Int, stride: Int, labeler: LocalLabeler = LocalLabeler(), newest: Double = 1,
        margins: [Double] = [], threads: Int = 0, progress: Bool = false
    ) throws -> LabelDistribution {
        let readings = try Self.readings(
            series, window: window, stride: stride, labeler: labeler, newest: newest, margins: margins, threads: threads,
            progress: progress)
        return LabelDistribution(readings, margins: margins)
    }

    /// The distribution of `readings` made with `margins` (a reading's changes beyond the
    /// margins given are not counted).
    public init(_ readings: [WindowReading], margins: [Double]) {
        self.init(margins: margins)
        for reading in readings {
            add(reading.label)
            for (index, changed) in reading.changes.prefix(margins.count).enumerated() where changed {
                addChange(margin: index, type: reading.label.setupType)
            }
        }
    }

    /// One window's local label and whether its setup type changes at each margin.
    public struct WindowReading: Equatable, Sendable {
        /// Close time of the window's last candle, UTC ms (a chart's timestamp).
        public var closeTimeMs: Int64
        /// The label at the standard thresholds.
        public var label: ChartLabel
        /// Per margin: whether the setup type differs with the thresholds tightened or
        /// loosened by it.
        public var changes: [Bool]
        /// Per margin: the thresholds (`SetupThresholds.graded` names) that change the setup
        /// type when moved by it alone, either way; empty when none does (the type may still
        /// change when all move at once).
        public var deciding: [[String]]
        /// The bar counts (`SetupThresholds.counted` names) that change the setup type when
        /// one alone moves by one bar either way: a breakout twelve bars back is a pullback,
        /// thirteen bars back it is not, and the two charts differ by one candle's width.
        public var decidingBarCounts: [String] = []
    }

    /// The local labeler's reading of every window of `series` (as `local`), oldest first.
    ///
    /// `newest` keeps only that fraction of the windows, the newest (a dataset's test split
    /// is each symbol's newest 15%); with `margins`, each reading also says whether the setup
    /// type changes when the labeler's thresholds are tightened or loosened by each margin,
    /// which thresholds change it alone, and which bar counts change it when moved by one bar.
    public static func readings(
        _ series: CandleSeries, window: Int, stride: Int, labeler: LocalLabeler = LocalLabeler(), newest: Double = 1,
        margins: [Double] = [], threads: Int = 0, progress: Bool = false
    ) throws -> [WindowReading] {
        guard window >= 2, stride >= 1 else {
            throw ChartCLIPError("window must be at least 2 and stride at least 1, got \(window) and \(stride)")
        }
        guard newest > 0, newest <= 1 else {
            throw ChartCLIPError("the newest fraction of windows must be in (0, 1], got \(newest)", hint: "e.g. --newest 0.15 for a test split")
        }
        let count = series.candles.count
        guard count >= window else {
            throw ChartCLIPError(
                "\(series.symbol) has \(count) candles, fewer than one window of \(window)", hint: "use a smaller --window")
        }
        let all = Array(Swift.stride(from: count - 1, through: window - 1, by: -stride).reversed())
        let ends = Array(all.suffix(max(1, Int((Double(all.count) * newest).rounded()))))
        return try readings(series, ending: ends, window: window, labeler: labeler, margins: margins, threads: threads, progress: progress)
    }

    /// The local labeler's reading of the `window`-candle windows of `series` that end on the
    /// candles at `ends` (in that order), with each margin's change as in `readings`.
    ///
    /// - Throws: when an end leaves less than a window before it or lies past the series.
    public static func readings(
        _ series: CandleSeries, ending ends: [Int], window: Int, labeler: LocalLabeler = LocalLabeler(),
        margins: [Double] = [], threads: Int = 0, progress: Bool = false
    ) throws -> [WindowReading] {
        guard window >= 2 else { throw ChartCLIPError("window must be at least 2, got \(window)") }
        if let bad = margins.first(where: { !($0 > 0 && $0 < 1) }) {
            throw ChartCLIPError("a threshold margin must be in (0, 1), got \(bad)", hint: "e.g. --margins 0.05 0.15 for 5% and 15%")
        }
        if let bad = ends.first(where: { $0 < window - 1 || $0 >= series.candles.count }) {
            throw ChartCLIPError(
                "\(series.symbol): a \(window)-candle window cannot end on candle \(bad) of \(series.candles.count)")
        }
        if ends.isEmpty { return [] }
        let standard = labeler.rules.thresholds
        let moved = margins.map { m in [m, -m].map { SetupRules(thresholds: standard.tightened(by: $0)) } }
        let movedAlone = margins.map { m in
            SetupThresholds.graded.map { threshold in
                (threshold.name, [m, -m].compactMap { standard.tightened(by: $0, only: threshold.name).map(SetupRules.init) })
            }
        }
        let movedCounts = margins.isEmpty ? [] : SetupThresholds.counted.map { count in
            (count.name, [-1, 1].compactMap { standard.shifted(count.name, by: $0).map(SetupRules.init) })
        }
        let workers = max(1, min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, ends.count))
        let results = LockedReadings(count: ends.count)
        let bar = ProgressBar(total: ends.count, label: "label \(series.symbol)", enabled: progress)
        let done = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in Swift.stride(from: w, to: ends.count, by: workers) {
                let window = (ends[k] - window + 1)...ends[k]
                do {
                    let features = MarketFeatures(candles: Array(series.candles[window]))
                    let label = try labeler.read(features).label
                    let changesType = { (rules: SetupRules) in rules.setup(in: features, at: features.count - 1).type != label.setupType }
                    let changes = moved.map { $0.contains(where: changesType) }
                    let deciding = movedAlone.map { thresholds in thresholds.filter { $0.1.contains(where: changesType) }.map(\.0) }
                    let decidingCounts = movedCounts.filter { $0.1.contains(where: changesType) }.map(\.0)
                    results.set(
                        k,
                        WindowReading(
                            closeTimeMs: series.closeTime(at: ends[k]), label: label, changes: changes, deciding: deciding,
                            decidingBarCounts: decidingCounts))
                } catch {
                    results.fail(error)
                    return
                }
                bar.update(done.increment())
            }
        }
        return try results.all()
    }
}

/// Readings filled in by worker threads, and the first error.
private final class LockedReadings: @unchecked Sendable {
    private let lock = NSLock()
    private var readings: [LabelDistribution.WindowReading?]
    private var error: Error?

    init(count: Int) { readings = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ reading: LabelDistribution.WindowReading) {
        lock.lock()
        readings[k] = reading
        lock.unlock()
    }

    func fail(_ failure: Error) {
        lock.lock()
        if error == nil { error = failure }
        lock.unlock()
    }

    func all() throws -> [LabelDistribution.WindowReading] {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw error }
        return readings.compactMap { $0 }
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
