import ChartCLIPSupport
import ChartCLIPTensor

/// What every benchmark reports about the machine it ran on, and the lines that say so.
public struct BenchEnvironment: Codable, Sendable {
    /// Compute threads.
    public var threads: Int
    /// The core OpenBLAS picked (`openblas_get_corename`).
    public var openBLASCore: String
    /// How matrix products multiply (`float32` or `bfloat16`).
    public var matmulPrecision: String
    /// The instruction set ChartCLIP's own kernels use (`InstructionSet.summary`).
    public var instructionSet: String
    /// Whether this is an optimised build.
    public var releaseBuild: Bool
    /// A forced OpenBLAS core slower than the CPU supports, if any.
    public var warning: String?

    /// The environment of this process.
    public static func current() -> BenchEnvironment {
        BenchEnvironment(
            threads: ComputeThreads.count, openBLASCore: BLASInfo.coreName, matmulPrecision: Gemm.precision.rawValue,
            instructionSet: InstructionSet.summary, releaseBuild: Timing.isReleaseBuild,
            warning: BLASInfo.forcedCoreWarning ?? InstructionSet.environmentProblem)
    }

    /// Warnings (debug build, forced core), then `threads N, OpenBLAS core X, kernels I, P products`
    /// with `extra` appended.
    public func lines(extra: String = "") -> [String] {
        var lines: [String] = []
        if !releaseBuild { lines.append("warning: debug build; measure with `swift build -c release`") }
        if let warning { lines.append("warning: \(warning)") }
        lines.append("threads \(threads), OpenBLAS core \(openBLASCore), kernels \(instructionSet), \(matmulPrecision) products\(extra)")
        return lines
    }
}
