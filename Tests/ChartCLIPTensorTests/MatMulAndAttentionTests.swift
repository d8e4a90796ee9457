import ChartCLIPTensor
import ChartCLIPTestSupport
import Testing

/// Matrix products with every transpose flag, linear layers, batched products, and the
/// fused attention kernel against its composite of primitive operations.
@Suite struct MatMulAndAttentionTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulGradients(flags: (Bool, Bool)) {
        let a = random(flags.0 ? [4, 3] : [3, 4], seed: 1)
        let b = random(flags.1 ? [5, 4] : [4, 5], seed: 2)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1], transposeA: flags.0, transposeB: flags.1) }
    }

    @Test func matmulValuesAndFoldedBatch() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6, 7, 8], shape: [2, 2])
        #expect(Tensor.matmul(a, b).scalars == [19, 22, 43, 50])
        #expect(Tensor.matmul(a, b, transposeA: true).scalars == [26, 30, 38, 44])
        #expect(Tensor.matmul(a, b, transposeB: true).scalars == [17, 23, 39, 53])
        let x = random([2, 3, 4]), w = random([4, 5], seed: 3)
        checkGradients([x, w]) { Tensor.matmul($0[0], $0[1]) }
        #expect(Tensor.matmul(x, w).shape == [2, 3, 5])
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedMatmulGradients(flags: (Bool, Bool)) {
        let a = random(flags.0 ? [3, 4, 2] : [3, 2, 4], seed: 4)
        let b = random(flags.1 ? [3, 5, 4] : [3, 4, 5], seed: 5)
        checkGradients([a, b]) { Tensor.batchedMatmul($0[0], $0[1], transposeA: flags.0, transposeB: flags.1) }
    }

    @Test func linearWithAndWithoutBias() {
        let x = random([2, 3, 4]), w = random([5, 4], seed: 6), b = random([5], seed: 7)
        checkGradients([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x, w]) { Tensor.linear($0[0], weight: $0[1], bias: nil) }
    }

    /// Large products are split across threads. OpenBLAS may pick a different micro-kernel
    /// for a split's size, so the split result is close to (not bit-identical with) one
    /// call; repeated runs with the same thread count are bit-identical.
    @Test func largeProductsSplitAcrossThreadsAgreeAndRepeatExactly() {
        let a = random([300, 200], seed: 8), b = random([200, 260], seed: 9)
        let split = Tensor.matmul(a, b).scalars
        #expect(Tensor.matmul(a, b).scalars == split)
        let single = Tensor.zeros([300, 260])
        Gemm.run(
            transposeA: false, transposeB: false, m: 300, n: 260, k: 200, a: a.storage.pointer, lda: 200,
            b: b.storage.pointer, ldb: 260, beta: 0, c: single.storage.pointer, ldc: 260, threads: 1)
        let check = allClose(split, single.scalars, relative: 1e-5, absolute: 1e-5)
        #expect(check.ok, "\(check.message)")
    }

    /// Inference products of linear layers with 2²⁷ multiply-adds and more run on OpenBLAS's
    /// own threads (on a machine with more than one compute thread); they agree with the
    /// training path (row blocks on the worker pool) and with one single-threaded call, and
    /// repeat exactly.
    @Test func inferenceLinearOnBLASThreadsAgreesWithTheTrainingPath() {
        let rows = 1024, din = 256, dout = 512
        #expect(withoutGradients { Gemm.usesBLASThreads(work: rows * din * dout) } == (ComputeThreads.count > 1))
        #expect(!Gemm.usesBLASThreads(work: rows * din * dout), "products with a tape stay on the worker pool")
        let x = random([rows, din], seed: 18), w = random([dout, din], seed: 19), b = random([dout], seed: 20)
        let inference = withoutGradients { Tensor.linear(x, weight: w, bias: b) }.scalars
        #expect(withoutGradients { Tensor.linear(x, weight: w, bias: b) }.scalars == inference)
        let training = Tensor.linear(x, weight: w, bias: b).scalars
        let check = allClose(inference, training, relative: 1e-5, absolute: 1e-5)
        #expect(check.ok, "\(check.message)")
        let single = Tensor.zeros([rows, dout])
        Gemm.single(false, true, rows, dout, din, 1, x.storage.pointer, din, w.storage.pointer, din, 0, single.storage.pointer, dout)
        let bias = b.scalars
        let expected = single.scalars.enumerated().map { $0.element + bias[$0.offset % dout] }
        let singleCheck = allClose(inference, expected, relative: 1e-5, absolute: 1e-5)
        #expect(singleCheck.ok, "\(singleCheck.message)")
    }

    /// A linear layer big enough to be cut into row blocks (its weight is over 1 MB, so each
    /// block has at least 256 rows) gives the product and bias of one unsplit call, and its
    /// bias gradient is the column sums of the upstream gradient.
    @Test func largeLinearInRowBlocksMatchesOneProduct() {
        let rows = 1000, din = 600, dout = 700
        let x = random([rows, din], seed: 14), w = random([dout, din], seed: 15), b = random([dout], seed: 16)
        b.requiresGrad = true
        let y = Tensor.linear(x, weight: w, bias: b)
        let plain = Tensor.zeros([rows, dout])
        Gemm.run(
            transposeA: false, transposeB: true, m: rows, n: dout, k: din, a: x.storage.pointer, lda: din,
            b: w.storage.pointer, ldb: din, beta: 0, c: plain.storage.pointer, ldc: dout, threads: 1)
        let bias = b.scalars
        let expected = plain.scalars.enumerated().map { $0.element + bias[$0.offset % dout] }
        let check = allClose(y.scalars, expected, relative: 1e-5, absolute: 1e-4)
        #expect(check.ok, "\(check.message)")
        let upstream = random([rows, dout], seed: 17)
        y.backward(seed: upstream)
        let g = upstream.scalars
        let sums = (0..<dout).map { j in (0..<rows).reduce(Float(0)) { $0 + g[$1 * dout + j] } }
        let gradCheck = allClose(b.grad!.scalars, sums, relative: 1e-4, absolute: 1e-3)
        #expect(gradCheck.ok, "\(gradCheck.message)")
    }

    /// The backward pass in row blocks (eight here, in four groups with a partial weight
    /// gradient each) gives the gradients of plain products, repeats exactly, and adds to
    /// gradients already there (a second backward pass doubles them).
    @Test func linearBackwardInBlocksMatchesPlainProducts() {
        let rows = 2000, din = 1024, dout = 64
        let x = random([rows, din], seed: 21), w = random([dout, din], seed: 22), b = random([dout], seed: 23)
        for t in [x, w, b] { t.requiresGrad = true }
        let upstream = random([rows, dout], seed: 24)
        func plain(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: Tensor, _ lda: Int, _ bm: Tensor, _ ldb: Int) -> [Float] {
            let c = Tensor.zeros([m, n])
            Gemm.run(
                transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.storage.pointer, lda: lda,
                b: bm.storage.pointer, ldb: ldb, beta: 0, c: c.storage.pointer, ldc: n, threads: 1)
            return c.scalars
        }
        let dw = plain(true, false, dout, din, rows, upstream, dout, x, din)
        let dx = plain(false, false, rows, din, dout, upstream, dout, w, din)
        let g = upstream.scalars
        let db = (0..<dout).map { j in (0..<rows).reduce(Float(0)) { $0 + g[$1 * dout + j] } }
        Tensor.linear(x, weight: w, bias: b).backward(seed: upstream)
        let first = [x, w, b].map { $0.grad!.scalars }
        for (name, actual, expected) in [("dx", first[0], dx), ("dw", first[1], dw), ("db", first[2], db)] {
            let check = allClose(actual, expected, relative: 1e-4, absolute: 1e-3)
            #expect(check.ok, "\(name): \(check.message)")
        }
        for t in [x, w, b] { t.zeroGradient() }
        Tensor.linear(x, weight: w, bias: b).backward(seed: upstream)
        #expect([x, w, b].map { $0.grad!.scalars } == first, "the same gradients again, bit for bit")
        Tensor.linear(x, weight: w, bias: b).backward(seed: upstream)
        for (t, once) in zip([x, w, b], first) {
            let check = allClose(t.grad!.scalars, once.map { 2 * $0 }, relative: 1e-5, absolute: 1e-4)
            #expect(check.ok, "accumulated: \(check.message)")
        }
    }

    @Test(arguments: [true, false])
    func fusedAttentionGradients(causal: Bool) {
        let qkv = random([2, 5, 12], seed: 10, low: -2, high: 2)
        checkGradients([qkv]) { Tensor.attention(qkv: $0[0], heads: 2, causal: causal) }
    }

    /// Fused attention against its composite of primitive operations, forward and gradient.
    /// The shapes reach every path of the register-blocked products: a small head of width 4,
    /// clip-tiny's image heads (T=65 → score rows padded to 80: 4×32 and 4×16 tiles, a one-row
    /// tail), a head width that is not a multiple of 16 (partial lanes) and one of exactly 16.
    @Test(arguments: [
        ([3, 7, 24], 2, false, Float(1e-5)), ([3, 7, 24], 2, true, 1e-5),
        ([2, 65, 192], 2, false, 1e-4), ([2, 65, 192], 2, true, 1e-4), ([2, 33, 60], 2, true, 1e-4), ([1, 17, 48], 1, false, 1e-4),
    ])
    func fusedAttentionEqualsComposite(shape: [Int], heads: Int, causal: Bool, tolerance: Float) {
        let qkv = random(shape, seed: 11, low: -2, high: 2)
        qkv.requiresGrad = true
        let upstream = random([shape[0], shape[1], shape[2] / 3], seed: 12)
        let fused = Tensor.attention(qkv: qkv, heads: heads, causal: causal)
        fused.backward(seed: upstream)
        let fusedGrad = qkv.grad!.scalars
        qkv.zeroGradient()
        let composite = Tensor.attentionComposite(qkv: qkv, heads: heads, causal: causal)
        composite.backward(seed: upstream)
        let forward = allClose(fused.scalars, composite.scalars, relative: 0, absolute: tolerance)
        #expect(forward.ok, "forward: \(forward.message)")
        let gradient = allClose(fusedGrad, qkv.grad!.scalars, relative: 0, absolute: tolerance)
        #expect(gradient.ok, "gradient: \(gradient.message)")
    }

    @Test func causalAttentionIgnoresTheFuture() {
        let qkv = random([1, 4, 6], seed: 13)
        let before = Tensor.attention(qkv: qkv, heads: 1, causal: true).scalars
        qkv.storage.pointer[3 * 6 + 5] += 10  // change the last token's value vector
        let after = Tensor.attention(qkv: qkv, heads: 1, causal: true).scalars
        #expect(Array(before[0..<6]) == Array(after[0..<6]))
        #expect(before[6..<8] != after[6..<8])
    }
}
