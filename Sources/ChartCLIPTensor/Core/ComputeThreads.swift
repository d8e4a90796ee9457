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

    /// Splits `0..<count` into contiguous ranges (each at least `grain` long, at most
    /// `chunksPerThread` per compute thread) and runs `body` on each in parallel. Small counts
    /// run inline. The threads claim ranges as they come free, so a thread that started late
    /// or lost the CPU for a while takes fewer of them instead of making the other wait.
    public static func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let threads = ComputeThreads.count
        let chunks = min(threads == 1 ? 1 : threads * chunksPerThread, count / max(grain, 1))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        run(chunks: chunks) { c in
            body(splitRange(count, chunks: chunks, index: c))
        }
    }

    /// Ranges per compute thread in `parallelFor`.
    static let chunksPerThread = 4

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
/// A job is published through one atomic word holding its generation, its task count and
/// the next unclaimed task (`Claim`): a worker claims a task with a compare-and-swap of that
/// whole word, so a late worker can never run a task of a job that has already finished, nor
/// take a task of the next job early. (The count once sat in a separate atomic, stored just
/// before the new generation: a worker that read the old generation and the new count
/// claimed a task of the new job on the old word, ran it twice, and let the job end while
/// it still ran; on a busy machine that crashed training in `withoutActuallyEscaping`.)
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: ComputeThreads.count)

    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        let sleeping = Atomic<Bool>(false)
        let alive = Atomic<Bool>(true)
    }

    /// The claim word: generation (24 bits) | task count (20 bits) | next task (20 bits).
    enum Claim {
        static let fieldBits: UInt64 = 20
        static let fieldMask: UInt64 = (1 << fieldBits) - 1
        static let generationShift = 2 * fieldBits
        /// Most tasks one published job holds; `run` splits larger ones.
        static let maxTasks = Int(fieldMask)

        static func word(generation: UInt64, tasks: Int) -> UInt64 {
            generation << generationShift | UInt64(tasks) << fieldBits
        }
        /// The generation after the one in `word` (24 bits, wrapping).
        static func nextGeneration(after word: UInt64) -> UInt64 {
            (generation(word) &+ 1) & ((1 << (64 - generationShift)) - 1)
        }
        static func generation(_ word: UInt64) -> UInt64 { word >> generationShift }
        static func tasks(_ word: UInt64) -> UInt64 { (word >> fieldBits) & fieldMask }
        static func next(_ word: UInt64) -> UInt64 { word & fieldMask }
    }

    private let claim = Atomic<UInt64>(0)
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
                guard Claim.generation(current) == gen, Claim.next(current) < Claim.tasks(current) else { return }
                let (exchanged, original) = claim.compareExchange(
                    expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchanged {
                    task = Int(Claim.next(current))
                    break
                }
                current = original
            }
            invoke(task)
            done.wrappingAdd(1, ordering: .releasing)
        }
    }

    /// Runs one task of the current job. Not inlined, so the reference to `body` taken for the
    /// call is certainly released before the task counts as done: `publish` hands `body` a
    /// closure through `withoutActuallyEscaping`, which traps if a reference is left when the
    /// job ends.
    @inline(never)
    private func invoke(_ task: Int) {
        body!(task)
    }

    private func loop(_ me: Worker) {
        pthread_setspecific(Self.insideKey, UnsafeRawPointer(bitPattern: 1))
        var seen = Claim.generation(claim.load(ordering: .acquiring))
        while me.alive.load(ordering: .relaxed) {
            var spins = 0
            while Claim.generation(claim.load(ordering: .acquiring)) == seen {
                spins += 1
                if spins < spinLimit { continue }
                me.sleeping.store(true, ordering: .sequentiallyConsistent)
                if Claim.generation(claim.load(ordering: .sequentiallyConsistent)) == seen
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
            seen = Claim.generation(claim.load(ordering: .acquiring))
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
        // The submitter's product precision and instruction-set cap (task-local values) hold
        // on the workers too.
        let precision = Gemm.precision, cap = InstructionSet.taskCap
        for start in stride(from: 0, to: tasks, by: Claim.maxTasks) {
            if precision == .float32 && cap == nil {
                publish(tasks: min(Claim.maxTasks, tasks - start)) { task(start + $0) }
            } else {
                publish(tasks: min(Claim.maxTasks, tasks - start)) { t in
                    Gemm.$precision.withValue(precision) {
                        InstructionSet.$taskCap.withValue(cap) { task(start + t) }
                    }
                }
            }
        }
        busy.store(false, ordering: .releasing)
    }

    /// Runs one job of at most `Claim.maxTasks` tasks on the pool and returns when every
    /// task has finished. The caller holds `busy`.
    private func publish(tasks: Int, _ task: (Int) -> Void) {
        withoutActuallyEscaping(task) { escapable in
            body = escapable
            done.store(0, ordering: .relaxed)
            let gen = Claim.nextGeneration(after: claim.load(ordering: .relaxed))
            claim.store(Claim.word(generation: gen, tasks: tasks), ordering: .sequentiallyConsistent)
            for w in workers where w.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                w.wake.signal()
            }
            pthread_setspecific(Self.insideKey, UnsafeRawPointer(bitPattern: 1))
            work(generation: gen)
            pthread_setspecific(Self.insideKey, nil)
            while done.load(ordering: .acquiring) < tasks {}
            body = nil
        }
    }
}
