import ArgumentParser
import ChartCLIPTensor

extension MatmulPrecision: ExpressibleByArgument {}

/// `--threads` and `--precision`, shared by the benchmarks, `eval` and `embed`.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Matrix products: float32, or bfloat16 (operands rounded to bfloat16, sums in float32; needs AVX512-BF16).")
    var precision: MatmulPrecision = .float32

    func validate() throws {
        if let reason = MatmulPrecision.unsupportedReason(precision) { throw ValidationError("--precision: \(reason)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    /// Sets the thread count, then runs `body` with the chosen product precision.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        if let threads { ComputeThreads.configure(count: threads) }
        return try Gemm.$precision.withValue(precision) { try body() }
    }
}
