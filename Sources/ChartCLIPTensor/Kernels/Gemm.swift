import CBLAS
import Foundation

/// `C = alpha · op(A) · op(B) + beta · C` on OpenBLAS's `cblas_sgemm`, row-major.
///
/// Large products are split here along M or N into blocks for the compute threads
/// (`ComputeThreads`), each an OpenBLAS call on one thread; the largest inference products of
/// linear layers run on OpenBLAS's own threads instead (`usesBLASThreads`). Either way
/// results repeat exactly for a given thread count.
public enum Gemm {
    /// How products multiply: `float32` unless a task binds `bfloat16`
    /// (`Gemm.$precision.withValue(.bfloat16) { … }`, the scoped form of PyTorch's
    /// `set_float32_matmul_precision`). The worker pool carries the binding to its threads, so
    /// every product of the scope follows it, while other tasks (tests running side by side)
    /// keep their own. Where the CPU lacks AVX512-BF16, products stay float32.
    @TaskLocal public static var precision = MatmulPrecision.float32

    /// Products smaller than this many multiply-adds run on one thread.
    public static let parallelThreshold = 1 << 18
    /// Blocks per compute thread for a split product.
    public nonisolated(unsafe) static var blocksPerThread = Int(ProcessInfo.processInfo.environment["CHARTCLIP_GEMM_BLOCKS"] ?? "") ?? 2

    /// Row-major single-precision GEMM. `op(A)` is `M×K`, `op(B)` is `K×N`, `C` is `M×N`
    /// with leading dimensions `lda`, `ldb`, `ldc` (elements between rows).
    @inline(__always)
    public static func run(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int = ComputeThreads.count
    ) {
        if m == 0 || n == 0 { return }
        // Two blocks per thread, claimed dynamically: a thread that got less of the CPU takes
        // fewer blocks instead of making the other wait at the end.
        let chunks = min(threads * Gemm.blocksPerThread, m * n * k / parallelThreshold)
        if chunks <= 1 {
            single(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Split the larger output side; keep blocks multiples of 16 for the micro-kernels.
        if m >= n {
            let parts = min(chunks, max(1, m / 16))
            ComputeThreads.run(chunks: parts) { part in
                let r = blockRange(m, parts: parts, index: part)
                if r.isEmpty { return }
                let aOffset = transposeA ? r.lowerBound : r.lowerBound * lda
                single(
                    transposeA, transposeB, r.count, n, k, alpha, a + aOffset, lda, b, ldb, beta,
                    c + r.lowerBound * ldc, ldc)
            }
        } else {
            let parts = min(chunks, max(1, n / 16))
            ComputeThreads.run(chunks: parts) { part in
                let r = blockRange(n, parts: parts, index: part)
                if r.isEmpty { return }
                let bOffset = transposeB ? r.lowerBound * ldb : r.lowerBound
                single(
                    transposeA, transposeB, m, r.count, k, alpha, a, lda, b + bOffset, ldb, beta,
                    c + r.lowerBound, ldc)
            }
        }
    }

    /// One single-threaded `cblas_sgemm` call.
    @inline(__always)
    public static func single(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        _ = singleThreadedBLAS
        if k == 0 {
            // BLAS leaves C untouched when K is 0 only if beta is 1; make it explicit.
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : row[j] * beta }
            }
            return
        }
        blas(threads: 1, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// Products of at least this many multiply-adds run on OpenBLAS's own threads.
    public static let blasThreadsThreshold = 1 << 27
    /// Whether large products use OpenBLAS's threads (`CHARTCLIP_BLAS_THREADS=0` turns it off).
    public nonisolated(unsafe) static var allowsBLASThreads = ProcessInfo.processInfo.environment["CHARTCLIP_BLAS_THREADS"] != "0"

    /// Whether a forward product of `work` multiply-adds with no tape recording should run on
    /// OpenBLAS's own threads.
    ///
    /// Split into one `cblas_sgemm` per thread, each thread packs its own copy of B (the
    /// whole weight matrix, for a linear layer); OpenBLAS's threads share one packed copy, and
    /// its 2-thread sgemm runs ViT-B/16's shapes at 165–178 GFLOP/s against 2 × 67–80 for
    /// two one-thread calls (`sgemm_bench`). In inference, where the products come nearly
    /// back to back, that made `bench encode` of ViT-B/16 about 15% faster. In training it
    /// made clip-small's step 5–15% slower (forward products alone or all products alike):
    /// OpenBLAS's idle threads keep spinning into the elementwise kernels and the backward
    /// pass that the worker pool runs between products. So only without gradients, only for
    /// products of 2²⁷ and more multiply-adds, and only outside a parallel region.
    /// Results repeat exactly for a given thread count; against one thread, OpenBLAS's edge
    /// kernels round about 3% of the outputs differently (within 1e-5).
    public static func usesBLASThreads(work: Int) -> Bool {
        allowsBLASThreads && precision == .float32 && !GradMode.isEnabled && work >= blasThreadsThreshold
            && ComputeThreads.count > 1 && !ComputeThreads.isInsideParallelRegion
    }

    /// One `cblas_sgemm` on `ComputeThreads.count` of OpenBLAS's own threads, back to one
    /// thread after.
    static func threadedBLAS(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        blas(threads: ComputeThreads.count, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The one `cblas_sgemm` call site; a one-thread product goes to the bfloat16 kernel
    /// instead when `usesBFloat16`. OpenBLAS's thread count is process-wide: a one-thread call shares it with other
    /// one-thread calls, a call on more threads holds it alone while it is raised (a one-thread
    /// call running meanwhile would be split differently and round differently).
    private static func blas(
        threads: Int, _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        if threads == 1 && usesBFloat16
            && bfloat16(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        {
            return
        }
        _ = singleThreadedBLAS
        let count = BLASThreadCount.shared
        if threads > 1 {
            count.writeLock()
            openblas_set_num_threads(Int32(threads))
        } else {
            count.readLock()
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a,
            Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        if threads > 1 { openblas_set_num_threads(1) }
        count.unlock()
    }

    /// OpenBLAS is told once, before its first use, to keep to the calling thread.
    private static let singleThreadedBLAS: Void = { BLASThreadCount.shared.resetToOne() }()

    /// Splits `0..<count` into `parts` blocks whose boundaries are multiples of 16.
    static func blockRange(_ count: Int, parts: Int, index: Int) -> Range<Int> {
        let blocks = (count + 15) / 16
        let r = ComputeThreads.splitRange(blocks, chunks: parts, index: index)
        return min(r.lowerBound * 16, count)..<min(r.upperBound * 16, count)
    }
}

/// Guards OpenBLAS's process-wide thread count: one-thread calls share it (a read lock, so
/// they still run in parallel with each other), a call on OpenBLAS's threads holds it alone
/// (a write lock) while the count is raised. Another task or test thread running a model at
/// the same moment therefore never gets its one-thread product split by OpenBLAS.
final class BLASThreadCount: @unchecked Sendable {
    static let shared = BLASThreadCount()
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    private init() {
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    func readLock() { pthread_rwlock_rdlock(lock) }
    func writeLock() { pthread_rwlock_wrlock(lock) }
    func unlock() { pthread_rwlock_unlock(lock) }

    /// Sets the count to one thread, the resting value, once no call is running.
    func resetToOne() {
        writeLock()
        openblas_set_num_threads(1)
        unlock()
    }
}

/// What OpenBLAS reports about itself, and whether the environment slowed it down.
public enum BLASInfo {
    /// The CPU core OpenBLAS's dynamic dispatch picked, e.g. `Cooperlake` or `Haswell`.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string.
    public static var config: String { String(cString: openblas_get_config()) }

    /// A warning when `OPENBLAS_CORETYPE` forces a core other than this CPU's best: AVX2
    /// kernels (`Haswell`, `Zen`) on an AVX-512 CPU halve GEMM speed, and AVX-512 kernels on a
    /// CPU without AVX-512 stop the process at its first product (illegal instruction). `nil`
    /// if nothing is forced or the forced core matches the hardware.
    public static var forcedCoreWarning: String? {
        guard let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !forced.isEmpty else { return nil }
        let cpuHasAVX512 = InstructionSet.detected >= .avx512
        let avx512Cores: Set<String> = [
            "skylakex", "cooperlake", "sapphirerapids", "zen4", "zen5",
        ]
        let forcedHasAVX512 = avx512Cores.contains(forced.lowercased())
        if forcedHasAVX512 && !cpuHasAVX512 {
            return "OPENBLAS_CORETYPE=\(forced) asks for AVX-512 kernels, but this CPU has \(InstructionSet.detected) "
                + "only: products may stop with an illegal instruction. Unset it (env -u OPENBLAS_CORETYPE …)."
        }
        guard cpuHasAVX512 && !forcedHasAVX512 else { return nil }
        return "OPENBLAS_CORETYPE=\(forced) forces OpenBLAS onto \(coreName) kernels, but this CPU "
            + "supports AVX-512: matrix products run at about half speed. "
            + "Unset it (env -u OPENBLAS_CORETYPE …) for real measurements."
    }
}
