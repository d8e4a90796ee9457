import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport
import Dispatch
import Foundation

/// Renders every window of a series (a fixed number of candles, advancing by `stride`)
/// to PNG files named by `ChartFileName`, in parallel, skipping files that already exist.
///
/// By default windows are anchored at the end: the last window ends with the newest candle
/// and earlier ones step back by `stride`, so the current chart is always rendered (with
/// `anchoredAtEnd: false` they start at 0, `stride`, … instead). Files are written
/// atomically, so an interrupted run leaves only complete charts and a rerun continues
/// where it stopped.
public struct ChartBatchRenderer: Sendable {
    /// The chart drawn for each window.
    public var renderer: CandlestickRenderer
    /// Candles per chart.
    public var window: Int
    /// Candles between the starts of consecutive windows.
    public var stride: Int
    /// Worker threads; 0 means one per CPU core.
    public var threads: Int
    /// PNG compression; `.fast` by default because datasets hold many charts.
    public var compression: PNGCodec.Compression
    /// Leave existing files alone (and count them as skipped).
    public var skipExisting: Bool
    /// Whether the last window ends at the newest candle (else the first starts at 0).
    public var anchoredAtEnd: Bool

    /// Creates a batch renderer; throws when `window` or `stride` is not positive.
    public init(
        renderer: CandlestickRenderer, window: Int, stride: Int = 1, threads: Int = 0,
        compression: PNGCodec.Compression = .fast, skipExisting: Bool = true, anchoredAtEnd: Bool = true
    ) throws {
        guard window >= 1, stride >= 1 else {
            throw ChartCLIPError(
                "window and stride must be at least 1 candle, got window \(window) and stride \(stride)")
        }
        self.renderer = renderer
        self.window = window
        self.stride = stride
        self.threads = threads
        self.compression = compression
        self.skipExisting = skipExisting
        self.anchoredAtEnd = anchoredAtEnd
    }

    /// What a batch run did.
    public struct Summary: Equatable, Sendable {
        /// Charts rendered and written.
        public var written: Int
        /// Charts skipped because their file existed.
        public var skipped: Int
        /// Every chart file of the run (written or skipped), in window order.
        public var files: [URL]
        /// Wall-clock seconds.
        public var seconds: Double
    }

    /// The windows of a series of `count` candles, oldest first.
    public func windows(count: Int) -> [Range<Int>] {
        guard count >= window else { return [] }
        let last = count - window
        let first = anchoredAtEnd ? last % stride : 0
        return Swift.stride(from: first, through: last, by: stride).map { $0..<($0 + window) }
    }

    /// Number of worker threads a run uses.
    public var resolvedThreads: Int {
        threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
    }

    /// Renders every window of `series` into `folder` (created if needed), with a progress
    /// bar on standard error when `progress` is true.
    public func renderAll(_ series: CandleSeries, to folder: URL, progress: Bool = true) throws -> Summary {
        let started = DispatchTime.now().uptimeNanoseconds
        let ranges = windows(count: series.candles.count)
        guard !ranges.isEmpty else {
            throw ChartCLIPError(
                "\(series.symbol) has \(series.candles.count) candles, fewer than one window of \(window)",
                hint: "fetch more history or use a smaller --window")
        }
        try AtomicFile.createDirectory(folder)
        let files = ranges.map { folder.appendingPathComponent(ChartFileName.name(series, window: $0)) }
        let bar = ProgressBar(total: ranges.count, label: "render \(series.symbol)", enabled: progress)
        let state = BatchState()
        let workers = min(resolvedThreads, ranges.count)
        let renderer = self.renderer, compression = self.compression, skipExisting = self.skipExisting
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var canvas = RasterImage(
                width: renderer.options.width, height: renderer.options.height,
                background: renderer.options.style.background)
            while let k = state.next(limit: ranges.count) {
                do {
                    if skipExisting && FileManager.default.fileExists(atPath: files[k].path) {
                        state.finish(written: false, bar: bar)
                        continue
                    }
                    try renderer.render(series, window: ranges[k], into: &canvas)
                    try PNGCodec.write(canvas, to: files[k], compression: compression)
                    state.finish(written: true, bar: bar)
                } catch {
                    state.fail(error)
                }
            }
        }
        if let error = state.error { throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return Summary(written: state.written, skipped: state.skipped, files: files, seconds: seconds)
    }
}

/// Work queue and counters shared by the batch workers.
final class BatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private(set) var written = 0
    private(set) var skipped = 0
    private(set) var error: Error?

    /// The next window index to render, or `nil` when done or after a failure.
    func next(limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, cursor < limit else { return nil }
        cursor += 1
        return cursor - 1
    }

    /// Counts one finished window and advances the progress bar.
    func finish(written wrote: Bool, bar: ProgressBar) {
        lock.lock()
        if wrote { written += 1 } else { skipped += 1 }
        let done = written + skipped
        lock.unlock()
        bar.update(done)
    }

    /// Records the first error; the workers stop taking windows.
    func fail(_ failure: Error) {
        lock.lock()
        if error == nil { error = failure }
        lock.unlock()
    }
}
