import ChartCLIPTensor
import Foundation
import Testing

/// The instruction-set switch: one host tests the portable paths beside its fastest ones, and
/// with the bfloat16 path off every product is float32's exactly, as on an AVX2-only CPU.
@Suite struct InstructionSetTests {
    /// Names round-trip (they are what `CHARTCLIP_ISA` takes), and a cap only ever lowers the
    /// level: asking for more than the CPU has gives the CPU's own.
    @Test func capsLowerTheLevelAndNeverRaiseIt() {
        for level in InstructionSet.allCases {
            #expect(InstructionSet(name: level.description) == level)
            #expect(InstructionSet(name: level.description.uppercased()) == level)
        }
        #expect(InstructionSet(name: "avx3") == nil)
        let outside = InstructionSet.active
        InstructionSet.limited(to: .avx2) {
            #expect(InstructionSet.active == min(.avx2, outside))
            #expect(!MatmulPrecision.isBFloat16Supported)
            InstructionSet.limited(to: .avx512BF16) { #expect(InstructionSet.active == min(.avx2, outside)) }
        }
        InstructionSet.limited(to: .avx512BF16) { #expect(InstructionSet.active == outside) }
        #expect(InstructionSet.active == outside)
    }

    /// The portable reference of every bfloat16 path: switched off, a bfloat16 binding gives
    /// float32's products bit for bit, for a product split over the worker pool, a linear
    /// layer (whose weight would be packed for bfloat16) forward and backward, and fused
    /// attention. Runs on every CPU.
    @Test func bfloat16BindingIsFloat32WhenThePathIsOff() {
        let a = random([512, 256], seed: 21), b = random([256, 384], seed: 22)
        let exactProduct = Tensor.matmul(a, b).scalars
        func linear() -> [[Float]] {
            let x = random([96, 128], seed: 31), w = random([64, 128], seed: 32), bias = random([64], seed: 33)
            for t in [x, w, bias] { t.requiresGrad = true }
            let y = Tensor.linear(x, weight: w, bias: bias)
            y.backward(seed: random([96, 64], seed: 34))
            return [y.scalars] + [x, w].map { $0.grad!.scalars }
        }
        func attention() -> [[Float]] {
            let qkv = random([2, 65, 3 * 64], seed: 51)
            qkv.requiresGrad = true
            let y = Tensor.attention(qkv: qkv, heads: 2, causal: true)
            y.backward(seed: random([2, 65, 64], seed: 52))
            return [y.scalars, qkv.grad!.scalars]
        }
        let exactLinear = linear(), exactAttention = attention()
        InstructionSet.limited(to: .avx2) {
            Gemm.$precision.withValue(.bfloat16) {
                #expect(Tensor.matmul(a, b).scalars == exactProduct)
                #expect(linear() == exactLinear)
                #expect(attention() == exactAttention)
            }
        }
    }

    /// The unsupported reason names the instruction, what this process has, and (when switched
    /// off rather than absent) the cap.
    @Test func theRefusalSaysWhy() throws {
        let reason = try #require(InstructionSet.limited(to: .avx2) { MatmulPrecision.unsupportedReason(.bfloat16) })
        #expect(reason.contains("AVX512-BF16"))
        #expect(reason.contains(InstructionSet.detected >= .avx512BF16 ? "capped" : "lacks"))
        #expect(MatmulPrecision.unsupportedReason(.float32) == nil)
    }
}
