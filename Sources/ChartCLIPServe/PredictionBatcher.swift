import ChartCLIPImage
import ChartCLIPPredictor
import ChartCLIPSupport
import Foundation

/// Gathers charts from concurrent requests into batches through the image tower.
///
/// One worker thread owns the model work: it waits for a first chart, then for up to
/// `maxWait` (or until `maxBatch` charts are queued), and predicts them all in one forward
/// pass. The tower is CPU-bound and uses every core through the tensor core's own threads,
/// so it runs on this thread rather than on Swift's cooperative pool, where it would starve
/// the event loops that answer `/healthz` and `/metrics` meanwhile.
///
/// `replace(_:)` swaps the predictor between two batches: a batch already running finishes
/// on the old one, every later batch uses the new one, and no request is dropped.
public final class PredictionBatcher: @unchecked Sendable {
    /// A predictor and the name it was loaded as (its file and label, for `/healthz`).
    public struct Loaded: @unchecked Sendable {
        /// The model.
        public let predictor: Predictor
        /// Where it was loaded from.
        public let url: URL
        /// When it was loaded.
        public let loadedAt: Date

        /// Wraps a loaded predictor.
        public init(predictor: Predictor, url: URL, loadedAt: Date = Date()) {
            self.predictor = predictor
            self.url = url
            self.loadedAt = loadedAt
        }
    }

    /// What one batch did, reported to `onBatch` (metrics).
    public struct BatchReport: Sendable {
        /// Charts in the batch.
        public var size: Int
        /// Seconds of the forward pass.
        public var seconds: Double
    }

    private struct Pending {
        let image: RasterImage
        let arrived: Double
        let continuation: CheckedContinuation<ChartPrediction, any Error>
    }

    /// Largest batch through the tower.
    public let maxBatch: Int
    /// Longest a chart waits for others to join its batch, in seconds.
    public let maxWait: Double
    /// Called on the worker thread after every batch.
    public var onBatch: (@Sendable (BatchReport) -> Void)?

    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var current: Loaded
    private var stopping = false
    /// Set when shutdown begins: no more charts will come, so a batch waits for no others.
    private var hurrying = false
    private var worker: Thread?
    private var finished = false

    /// A batcher for `loaded`; call `start()` before submitting.
    public init(_ loaded: Loaded, maxBatch: Int, maxWait: Double) {
        self.current = loaded
        self.maxBatch = max(1, maxBatch)
        self.maxWait = max(0, maxWait)
    }

    /// The predictor the next batch will use.
    public var loaded: Loaded {
        condition.lock()
        defer { condition.unlock() }
        return current
    }

    /// Charts waiting for the worker.
    public var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Starts the worker thread.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard worker == nil else { return }
        let thread = Thread { [self] in self.work() }
        thread.name = "chartclip-predict"
        thread.stackSize = 16 << 20
        worker = thread
        thread.start()
    }

    /// Swaps in a new predictor for every batch that starts after this call.
    public func replace(_ loaded: Loaded) {
        condition.lock()
        current = loaded
        condition.unlock()
    }

    /// The prediction for one chart, answered when its batch has run.
    ///
    /// - Throws: `ChartCLIPError` when the batcher is stopping and takes no new work.
    public func predict(_ image: RasterImage) async throws -> ChartPrediction {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else {
                continuation.resume(throwing: ChartCLIPError("the server is shutting down", hint: "retry on another instance"))
                return
            }
            queue.append(Pending(image: image, arrived: Timing.now(), continuation: continuation))
            condition.signal()
        }
    }

    /// Runs what is queued now, and every later batch, without waiting `maxWait` for more
    /// charts: called when the server stops accepting connections.
    public func hurry() {
        condition.lock()
        hurrying = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops taking charts, answers every queued one, and returns when the worker has ended.
    public func drain() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while worker != nil && !finished { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while let (batch, loaded) = nextBatch() {
            let started = Timing.now()
            let predictions = loaded.predictor.predict(batch.map(\.image))
            onBatch?(BatchReport(size: batch.count, seconds: Timing.now() - started))
            for (pending, prediction) in zip(batch, predictions) { pending.continuation.resume(returning: prediction) }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the first chart, then for more until the batch is full or the first chart
    /// has waited `maxWait`; `nil` once stopping with nothing queued.
    private func nextBatch() -> ([Pending], Loaded)? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopping { return nil }
            condition.wait()
        }
        let deadline = Date(timeIntervalSinceNow: max(0, queue[0].arrived + maxWait - Timing.now()))
        while queue.count < maxBatch && !stopping && !hurrying {
            if !condition.wait(until: deadline) { break }
        }
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        return (batch, current)
    }
}
