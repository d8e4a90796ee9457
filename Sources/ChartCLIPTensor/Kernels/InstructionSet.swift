import BF16Gemm
import Foundation

/// The x86 instruction-set levels ChartCLIP's kernels choose between at run time, lowest first.
///
/// The CPU's own level is read once (`cpuid`, and `xgetbv` for what the operating system
/// saves). `CHARTCLIP_ISA` caps it for the whole process (`CHARTCLIP_ISA=avx2 swift test` runs
/// the portable paths on an AVX-512 host), and `InstructionSet.limited(to:_:)` caps it for one
/// task, so one host tests every path side by side.
public enum InstructionSet: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// No AVX2 + FMA (or not x86-64): only the plain code and OpenBLAS's own dispatch.
    case baseline = 0
    /// AVX2 and FMA (Haswell, Zen 1 and later).
    case avx2 = 1
    /// AVX-512 F, DQ, BW and VL (Skylake-X, Zen 4 and later).
    case avx512 = 2
    /// AVX-512 with the bfloat16 dot product (Cooper Lake, Sapphire Rapids, Zen 4 and later).
    case avx512BF16 = 3

    /// The name `CHARTCLIP_ISA` takes and reports print: `baseline`, `avx2`, `avx512`, `avx512_bf16`.
    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "avx2"
        case .avx512: "avx512"
        case .avx512BF16: "avx512_bf16"
        }
    }

    /// The level named `name` (as `description` spells it, any case), or `nil`.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// What this CPU and operating system support.
    public static let detected = InstructionSet(rawValue: Int(chartclip_cpu_isa_level())) ?? .baseline

    /// The cap `CHARTCLIP_ISA` sets for this process, if it is set to a level's name.
    public static let environmentCap: InstructionSet? = ProcessInfo.processInfo.environment["CHARTCLIP_ISA"]
        .flatMap { InstructionSet(name: $0) }

    /// Why `CHARTCLIP_ISA` is ignored, when it is set to something that names no level; the
    /// command line prints it so a typo does not pass for a measurement of the portable path.
    public static var environmentProblem: String? {
        guard let value = ProcessInfo.processInfo.environment["CHARTCLIP_ISA"], !value.isEmpty,
            InstructionSet(name: value) == nil
        else { return nil }
        let names = allCases.map(\.description).joined(separator: ", ")
        return "CHARTCLIP_ISA=\(value) names no instruction set (use one of \(names), or unset it); ignored"
    }

    /// A cap for the current task and the worker-pool tasks it starts (see `limited(to:_:)`).
    @TaskLocal static var taskCap: InstructionSet?

    /// The level kernels use now: the CPU's, capped by `CHARTCLIP_ISA` and the task's cap.
    public static var active: InstructionSet {
        var level = detected
        if let cap = environmentCap { level = min(level, cap) }
        if let cap = taskCap { level = min(level, cap) }
        return level
    }

    /// Runs `body` with kernels limited to `cap` (never above the CPU's own level): the switch
    /// that lets one host test the portable paths beside its fastest ones.
    public static func limited<T>(to cap: InstructionSet, _ body: () throws -> T) rethrows -> T {
        try $taskCap.withValue(min(cap, taskCap ?? cap)) { try body() }
    }

    /// Async form of `limited(to:_:)`.
    public static func limited<T>(to cap: InstructionSet, _ body: () async throws -> T) async rethrows -> T {
        try await $taskCap.withValue(min(cap, taskCap ?? cap)) { try await body() }
    }

    /// `avx512_bf16 (CPU avx512_bf16)`, or `avx2 (CPU avx512_bf16, capped by CHARTCLIP_ISA)`:
    /// what benchmarks and run records print.
    public static var summary: String {
        let level = active
        if level == detected { return level.description }
        let by = (environmentCap.map { $0 < detected } ?? false) ? "CHARTCLIP_ISA" : "the caller"
        return "\(level) (CPU \(detected), capped by \(by))"
    }
}
