import Foundation
import Synchronization

/// The one place that sets how many threads ChartCLIP computes with.
///
/// OpenBLAS runs single-threaded except for the largest products (see
/// `Gemm.usesBLASThreads`); ChartCLIP splits every other GEMM and every large elementwise or
/// reduction kernel across its own worker pool. One pool owning the cores between those
/// products avoids two spinning runtimes fighting over them, and lets small batched GEMMs
/// (per-head attention) run one per thread, which OpenBLAS's own threading does badly.
public enum ComputeThreads {
    private static let configured = Mutex<Int>(ComputeThreads.defaultCount())

    /// Threads used by kernels (≥ 1). Defaults to `CHARTCLIP_THREADS`, else the number of
    /// online cores.
    public static var count: Int { configured.withLock { $0 } }

    /// Sets the thread count for every kernel. Call before heavy work; safe to call again.
    public static func configure(count newCount: Int) {
        let n = max(1, newCount)
        configured.withLock { $0 = n }
        WorkerPool.shared.resize(threads: n)
        BLASThreadCount.shared.resetToOne()
    }

    static func defaultCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["CHARTCLIP_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Whether the calling thread is running a task of the worker pool (nested parallel work
    /// then runs inline).
    public static var isInsideParallelRegion: Bool { WorkerPool.isInside }

    /// Runs `body(chunk)` for `chunk` in `0..<chunks`, spread over the worker pool.
    /// The chunking is the caller's, so results never depend on which thread ran what.
    public static func run(chunks: Int, _ body: (Int) -> Void) {
        WorkerPool.shared.run(tasks: chunks, body)
    }

    /// Splits `0..<count` into at most `ComputeThreads.count` contiguous ranges (each at
    /// least `grain` long) and runs `body` on each in parallel. Small counts run inline.
    public static func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(ComputeThreads.count, count / max(grain, 1))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        run(chunks: chunks) { c in
            body(splitRange(count, chunks: chunks, index: c))
        }
    }

    /// The `index`-th of `chunks` near-equal contiguous parts of `0..<count`.
    @inline(__always)
    public static func splitRange(_ count: Int, chunks: Int, index: Int) -> Range<Int> {
        let base = count / chunks, extra = count % chunks
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }
}

/// A small persistent pool: the calling thread plus `threads - 1` workers that spin briefly
/// after each job (kernels come back-to-back in a training step) and then sleep.
///
/// A job is published through one atomic word, `generation << 32 | next task`: a worker
/// claims a task with a compare-and-swap that also checks the generation, so a late worker
/// can never run a task of a job that has already finished.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: ComputeThreads.count)

    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        let sleeping = Atomic<Bool>(false)
        let alive = Atomic<Bool>(true)
    }

    private let claim = Atomic<UInt64>(0)
    private let taskCount = Atomic<Int>(0)
    private let done = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private nonisolated(unsafe) var body: ((Int) -> Void)?
    private var workers: [Worker] = []
    private let resizeLock = NSLock()
    /// Spin iterations before a worker sleeps (roughly 100 µs).
    private let spinLimit = 2_000_000

    init(threads: Int) { resize(threads: threads) }

    func resize(threads: Int) {
        resizeLock.lock()
        defer { resizeLock.unlock() }
        let wanted = max(0, threads - 1)
        while workers.count > wanted {
            let w = workers.removeLast()
            w.alive.store(false, ordering: .sequentiallyConsistent)
            w.wake.signal()
        }
        while workers.count < wanted {
            let w = Worker()
            workers.append(w)
            let thread = Thread { [unowned self] in self.loop(w) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Thread-local marker: nested parallel regions run inline.
    private static let insideKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isInside: Bool { pthread_getspecific(insideKey) != nil }

    /// Claims and runs tasks of generation `gen` until none are left.
    private func work(generation gen: UInt64) {
        while true {
            var current = claim.load(ordering: .acquiring)
            var task = 0
            while true {
                guard current >> 32 == gen else { return }
                task = Int(current & 0xFFFF_FFFF)
                guard task < taskCount.load(ordering: .acquiring) else { return }
                let (exchanged, original) = claim.compareExchange(
                    expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
            body!(task)
            done.wrappingAdd(1, ordering: .releasing)
        }
    }

    private func loop(_ me: Worker) {
        pthread_setspecific(Self.insideKey, UnsafeRawPointer(bitPattern: 1))
        var seen = claim.load(ordering: .acquiring) >> 32
        while me.alive.load(ordering: .relaxed) {
            var spins = 0
            while claim.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins < spinLimit { continue }
                me.sleeping.store(true, ordering: .sequentiallyConsistent)
                if claim.load(ordering: .sequentiallyConsistent) >> 32 == seen
                    && me.alive.load(ordering: .relaxed)
                {
                    me.wake.wait()
                } else if !me.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                    // The submitter already took our flag and will signal: consume it.
                    me.wake.wait()
                }
                spins = 0
                if !me.alive.load(ordering: .relaxed) { return }
            }
            seen = claim.load(ordering: .acquiring) >> 32
            work(generation: seen)
        }
    }

    func run(tasks: Int, _ task: (Int) -> Void) {
        if tasks <= 0 { return }
        // Inline when single-threaded, nested, or another caller holds the pool: the task
        // split is the caller's, so results are identical either way.
        if tasks == 1 || workers.isEmpty || Self.isInside
            || busy.exchange(true, ordering: .acquiring)
        {
            for t in 0..<tasks { task(t) }
            return
        }
        withoutActuallyEscaping(task) { escapable in
            body = escapable
            done.store(0, ordering: .relaxed)
            taskCount.store(tasks, ordering: .relaxed)
            let gen = (claim.load(ordering: .relaxed) >> 32) &+ 1
            claim.store(gen << 32, ordering: .sequentiallyConsistent)
            for w in workers where w.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                w.wake.signal()
            }
            pthread_setspecific(Self.insideKey, UnsafeRawPointer(bitPattern: 1))
            work(generation: gen)
            pthread_setspecific(Self.insideKey, nil)
            while done.load(ordering: .acquiring) < tasks {}
            body = nil
        }
        busy.store(false, ordering: .releasing)
    }
}
