import ArgumentParser
import ChartCLIPTensor

extension MatmulPrecisionRequest: ExpressibleByArgument {}

/// `--threads` and `--precision`, shared by the benchmarks, `eval` and `embed`.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Matrix products: float32, bfloat16 (operands rounded to bfloat16, sums in float32; needs AVX512-BF16), or auto (bfloat16 where the CPU has it).")
    var precision: MatmulPrecisionRequest = .float32

    func validate() throws {
        do { _ = try precision.resolved(hint: "--precision float32 or --precision auto") } catch {
            throw ValidationError("--precision: \(error.message)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    /// Sets the thread count, then runs `body` with the chosen product precision.
    func run<T>(_ body: () throws -> T) throws -> T {
        if let threads { ComputeThreads.configure(count: threads) }
        let resolved = try precision.resolved(hint: "--precision float32 or --precision auto")
        return try Gemm.$precision.withValue(resolved) { try body() }
    }
}
