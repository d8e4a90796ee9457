import BF16Gemm

/// How float32 matrix products multiply their operands.
///
/// `float32` is exact single precision (OpenBLAS's `cblas_sgemm`). `bfloat16` rounds both
/// operands to bfloat16 (8 bits of mantissa, float32's exponent range) and sums every product
/// in float32, on the AVX512-BF16 dot-product instruction: twice the multiply rate of float32
/// FMAs. It is the mixed precision of TPUs and of PyTorch's
/// `torch.set_float32_matmul_precision("medium")`; tensors, gradients, optimizer state and
/// every other op stay float32. Each operand carries a rounding error of at most 2⁻⁹ (0.2%)
/// of itself, so a product's outputs typically move by a few tenths of a percent of their scale.
public enum MatmulPrecision: String, Sendable, Codable, CaseIterable {
    /// Exact float32 products.
    case float32
    /// bfloat16 operands, float32 sums (needs AVX512-BF16).
    case bfloat16

    /// Whether products may run on the bfloat16 dot-product instruction here: the CPU has
    /// AVX512-BF16 (AMD Zen 4 and later, Intel Cooper Lake and Sapphire Rapids and later) and
    /// neither `CHARTCLIP_ISA` nor the task (`InstructionSet.limited(to:_:)`) caps it away.
    public static var isBFloat16Supported: Bool { InstructionSet.active >= .avx512BF16 }

    /// Why `precision` cannot run on this CPU, or `nil` when it can.
    public static func unsupportedReason(_ precision: MatmulPrecision) -> String? {
        guard precision == .bfloat16, !isBFloat16Supported else { return nil }
        let cpu = InstructionSet.active == InstructionSet.detected
            ? "this CPU lacks it (it has \(InstructionSet.detected))" : "it is switched off here (\(InstructionSet.summary))"
        return "bfloat16 matrix products need AVX512-BF16 (AMD Zen 4 or later, Intel Cooper Lake or "
            + "Sapphire Rapids or later), and \(cpu)"
    }
}

/// What a config or a command asks of matrix products, resolved to a `MatmulPrecision` when
/// work starts (never while a config is read: a config is data, whichever machine reads it).
public enum MatmulPrecisionRequest: String, Sendable, Codable, CaseIterable {
    /// Exact float32 products.
    case float32
    /// bfloat16 operands with float32 sums; an error where the CPU lacks AVX512-BF16.
    case bfloat16
    /// The fastest precision this CPU has that training is known to tolerate: bfloat16 with
    /// AVX512-BF16 (losses within a few percent of float32's, same accuracy), else float32.
    case auto

    /// The request for exactly `precision`.
    public init(_ precision: MatmulPrecision) {
        self = precision == .float32 ? .float32 : .bfloat16
    }

    /// The precision to run with on this CPU; `bfloat16` where it cannot run is an error that
    /// says what to do instead (`hint` is the flag or field to change, e.g. `--precision float32`).
    public func resolved(hint: String) throws(PrecisionUnavailable) -> MatmulPrecision {
        switch self {
        case .float32: return .float32
        case .auto: return MatmulPrecision.isBFloat16Supported ? .bfloat16 : .float32
        case .bfloat16:
            if let reason = MatmulPrecision.unsupportedReason(.bfloat16) {
                throw PrecisionUnavailable(message: "\(reason): use \(hint)")
            }
            return .bfloat16
        }
    }
}

/// A precision request this CPU cannot meet, with what to do instead.
public struct PrecisionUnavailable: Error, CustomStringConvertible, Sendable {
    /// The reason and the fix, one line.
    public var message: String
    public var description: String { message }
}

extension Gemm {
    /// Rounds `count` floats to the nearest bfloat16 and back (ties to even, NaN kept): what
    /// `MatmulPrecision.bfloat16` does to both operands of a product.
    public static func roundToBFloat16(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        chartclip_round_bf16(x, y, count)
    }

    /// Whether this task's products run in bfloat16: its precision binding is `bfloat16` and
    /// the CPU has AVX512-BF16. The one place the choice is made (single-thread products,
    /// packed linear weights, attention heads).
    static var usesBFloat16: Bool { precision == .bfloat16 && MatmulPrecision.isBFloat16Supported }

    /// One product in bfloat16 on the calling thread; `false` (C untouched) when the CPU lacks
    /// AVX512-BF16.
    static func bfloat16(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) -> Bool {
        chartclip_sgemm_bf16(
            transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == 0
    }
}

/// The right operand of several products, rounded to bfloat16 and packed once: a linear
/// layer's weight, shared by every row block of its input (each block otherwise rounds and
/// packs all of it again). Made by `Gemm.packedForBFloat16`, only in `bfloat16` precision.
final class BFloat16PackedOperand: @unchecked Sendable {
    /// op(B)'s shape: K×N.
    let k: Int, n: Int
    private let words: UnsafeMutablePointer<UInt32>

    fileprivate init?(transposed: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int) {
        self.k = k
        self.n = n
        words = .allocate(capacity: max(1, chartclip_bf16_packed_b_words(k, n)))
        if chartclip_bf16_pack_b(transposed ? 1 : 0, k, n, b, ldb, words) != 0 {
            words.deallocate()
            return nil
        }
    }

    deinit { words.deallocate() }

    /// `C = alpha · op(A) · B + beta · C (+ bias on every row)` for an M-row op(A), on the
    /// calling thread; the bias is added as C is stored, not in a pass of its own. `false`
    /// (C untouched) when the kernel could not get its packing buffers, and the caller must
    /// multiply another way.
    func multiply(
        transposeA: Bool = false, m: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        beta: Float, bias: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Bool {
        chartclip_sgemm_bf16_packed_b(transposeA ? 1 : 0, m, n, k, alpha, a, lda, words, beta, bias, c, ldc) == 0
    }
}

extension Gemm {
    /// op(B) packed for bfloat16 products, when this task's precision is `bfloat16` and the
    /// CPU has AVX512-BF16; otherwise `nil` (use `single` and its float32 products).
    static func packedForBFloat16(
        transposeB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int
    ) -> BFloat16PackedOperand? {
        guard usesBFloat16, k > 0, n > 0 else { return nil }
        return BFloat16PackedOperand(transposed: transposeB, k: k, n: n, b: b, ldb: ldb)
    }
}
