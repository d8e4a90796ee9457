import ChartCLIPTensor
import ChartCLIPTestSupport
import Foundation
import Testing

/// Rounding to bfloat16, against PyTorch (`Tests/Fixtures/golden/make_bf16_golden.py`). Runs on
/// every CPU: the rounding is plain code.
@Suite struct BFloat16RoundingTests {
    @Test func roundingMatchesPyTorch() throws {
        let file = try GoldenFile("golden/bf16_products.json")
        let input = (file["round.input_bits"] as! [Int]).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        let expected = (file["round.output_bits"] as! [Int]).map { UInt32(truncatingIfNeeded: $0) }
        let rounded = rounding(input)
        for i in input.indices {
            #expect(rounded[i].bitPattern == expected[i], "\(input[i]) rounds to \(rounded[i]), PyTorch gives \(Float(bitPattern: expected[i]))")
        }
    }

    /// What the AVX512-BF16 conversion does where PyTorch's software rounding differs: float32
    /// denormals are read as signed zeros. NaN stays NaN (a NaN whose payload sits in the low 16
    /// bits must not round to infinity).
    @Test func denormalsBecomeZeroAndNaNStaysNaN() {
        let tiny = Float(bitPattern: 0x0000_1234), negativeTiny = -Float(bitPattern: 0x007f_ffff)
        let lowPayloadNaN = Float(bitPattern: 0x7f80_0001)
        let rounded = rounding([tiny, negativeTiny, lowPayloadNaN, .nan, .infinity])
        #expect(rounded[0].bitPattern == 0)
        #expect(rounded[1].bitPattern == 0x8000_0000)
        #expect(rounded[2].isNaN && rounded[3].isNaN)
        #expect(rounded[4] == .infinity)
    }

    private func rounding(_ values: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { Gemm.roundToBFloat16(x.baseAddress!, into: $0.baseAddress!, count: values.count) }
        }
        return out
    }
}

/// Products in `MatmulPrecision.bfloat16`: the same as float32 products of the rounded operands
/// up to the order of the float32 sums, with every transpose, blocking edge and thread.
@Suite(.enabled(if: MatmulPrecision.isBFloat16Supported, "AVX512-BF16 is absent here or switched off (CHARTCLIP_ISA)"))
struct BFloat16ProductTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func productMatchesPyTorch(flags: (Bool, Bool)) throws {
        let file = try GoldenFile("golden/bf16_products.json")
        func tensor(_ name: String) -> Tensor {
            let (shape, data) = file.array(name)
            return Tensor(data, shape: shape)
        }
        let a = tensor(flags.0 ? "product.a_t" : "product.a")
        let b = tensor(flags.1 ? "product.b_t" : "product.b")
        let out = Gemm.$precision.withValue(.bfloat16) {
            Tensor.matmul(a, b, transposeA: flags.0, transposeB: flags.1)
        }
        let check = allClose(out.scalars, file.array("product.output").data, relative: 1e-5, absolute: 1e-5)
        #expect(check.ok, "\(check.message)")
        // The rounding is really there: float32 products are farther away than that.
        let exact = allClose(out.scalars, file.array("product.float32").data, relative: 1e-4, absolute: 1e-4)
        #expect(!exact.ok, "a bfloat16 product matched the float32 one to 1e-4")
    }

    /// The kernel's own rounding (the AVX512-BF16 conversion) is the scalar one the tests use
    /// as reference, bit for bit: a product with a 1×1 identity (K = 1, so each output is one
    /// rounded input times 1, plus the zero partner of the odd K) returns the rounded inputs.
    /// Ties, overflow to infinity, denormals and NaN included; only the sign of zero is lost
    /// to the float32 sum.
    @Test func kernelRoundingIsTheScalarRounding() throws {
        let file = try GoldenFile("golden/bf16_products.json")
        var input = (file["round.input_bits"] as! [Int]).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        input += [Float(bitPattern: 0x0000_1234), -Float(bitPattern: 0x007f_ffff), .nan, Float(bitPattern: 0x7f80_0001)]
        let viaKernel = product((false, false), input.count, 1, 1, 1, input, 1, [1], 1, 0, [Float](repeating: 0, count: input.count), 1, .bfloat16)
        let scalar = rounded(input)
        for i in input.indices {
            let same = viaKernel[i].isNaN ? scalar[i].isNaN : viaKernel[i] == scalar[i]
            #expect(same, "\(input[i]): kernel \(viaKernel[i]), scalar \(scalar[i])")
        }
    }

    /// Sizes past every block of the kernel (MC 144 rows, NC 1024 columns, KC 256 of K, the
    /// 12×32 register tile), odd K, padded leading dimensions, alpha and beta, against
    /// float32 products of the rounded operands. With beta 0, C is written without being read.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func blockedProductsMatchRoundedFloat32(flags: (Bool, Bool)) {
        let (m, n, k) = (157, 1061, 517)
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1.5)] {
            let lda = (flags.0 ? m : k) + 3, ldb = (flags.1 ? k : n) + 5, ldc = n + 2
            let a = random([(flags.0 ? k : m) * lda], seed: 11).scalars
            let b = random([(flags.1 ? n : k) * ldb], seed: 12).scalars
            let c0 = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : random([m * ldc], seed: 13).scalars
            let ar = rounded(a), br = rounded(b)
            let expected = product(flags, m, n, k, alpha, ar, lda, br, ldb, beta, c0, ldc, .float32)
            let actual = product(flags, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc, .bfloat16)
            var worst: Float = 0
            for i in 0..<m {
                for j in 0..<n { worst = max(worst, abs(actual[i * ldc + j] - expected[i * ldc + j])) }
            }
            // Sums of 517 products of size ~1/3 each: float32 order differences stay near 1e-5.
            #expect(worst < 2e-4, "alpha \(alpha) beta \(beta): largest difference \(worst)")
            // Padding columns of C are never touched.
            #expect(actual[ldc - 1].isNaN == c0[ldc - 1].isNaN && (beta == 0 || actual[ldc - 1] == c0[ldc - 1]))
        }
    }

    /// A linear layer's forward pass in bfloat16 adds its bias as the product is stored: once,
    /// even when K spans several packed blocks (din 300 > 256), on partial register tiles (rows
    /// not a multiple of 12, dout not of 32) and on row blocks the other threads compute. The
    /// reference is float32's layer on the rounded input and weight.
    @Test(arguments: [(1_301, 300, 45), (2_080, 64, 192), (37, 64, 64)])
    func linearForwardAddsTheBiasOnce(shape: (Int, Int, Int)) {
        let (rows, din, dout) = shape
        let x = random([rows, din], seed: 41), w = random([dout, din], seed: 42), bias = random([dout], seed: 43, low: 2, high: 3)
        let xr = Tensor(rounded(x.scalars), shape: x.shape), wr = Tensor(rounded(w.scalars), shape: w.shape)
        let expected = Gemm.$precision.withValue(.float32) { withoutGradients { Tensor.linear(xr, weight: wr, bias: bias) } }
        let actual = Gemm.$precision.withValue(.bfloat16) { withoutGradients { Tensor.linear(x, weight: w, bias: bias) } }
        let check = allClose(actual.scalars, expected.scalars, relative: 1e-5, absolute: 2e-5)
        #expect(check.ok, "rows \(rows), \(din) -> \(dout): \(check.message)")
    }

    /// Fused attention in bfloat16 (its six products per head on the bfloat16 kernel, strided
    /// Q, K, V read in place) stays within 1% of float32's output and gradients, causal or
    /// not, with a token count that leaves partial register tiles (65 = 5·12 + 5) and padded
    /// score rows; and it differs from float32 (the bfloat16 products really ran).
    @Test(arguments: [false, true])
    func attentionStaysCloseToFloat32(causal: Bool) {
        let (batch, tokens, heads, width) = (3, 65, 2, 64)
        func run(_ precision: MatmulPrecision) -> [[Float]] {
            let qkv = random([batch, tokens, 3 * width], seed: 51)
            qkv.requiresGrad = true
            let upstream = random([batch, tokens, width], seed: 52)
            let out = Gemm.$precision.withValue(precision) { () -> Tensor in
                let y = Tensor.attention(qkv: qkv, heads: heads, causal: causal)
                y.backward(seed: upstream)
                return y
            }
            return [out.scalars, qkv.grad!.scalars]
        }
        let exact = run(.float32), mixed = run(.bfloat16)
        for (name, e, m) in [("output", exact[0], mixed[0]), ("gradient", exact[1], mixed[1])] {
            let relative = sqrt(zip(e, m).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)) / sqrt(e.map { $0 * $0 }.reduce(0, +))
            #expect(relative < 0.01 && relative > 0, "\(name): relative error \(relative)")
            let finite = m.allSatisfy { $0.isFinite }
            #expect(finite, "\(name) has non-finite values")
        }
    }

    /// A product large enough to be split over the worker pool follows the caller's binding on
    /// every block, including those the other threads compute; outside the binding it is float32.
    @Test func workerThreadsFollowTheCallersPrecision() {
        let a = random([512, 256], seed: 21), b = random([256, 384], seed: 22)
        let bf16 = Gemm.$precision.withValue(.bfloat16) { Tensor.matmul(a, b) }.scalars
        let f32 = Tensor.matmul(a, b).scalars
        let reference = Tensor.matmul(Tensor(rounded(a.scalars), shape: a.shape), Tensor(rounded(b.scalars), shape: b.shape)).scalars
        for rows in [0..<64, 448..<512] {
            let span = rows.lowerBound * 384..<rows.upperBound * 384
            let nearRounded = allClose(Array(bf16[span]), Array(reference[span]), relative: 1e-4, absolute: 1e-4)
            let nearExact = allClose(Array(bf16[span]), Array(f32[span]), relative: 1e-4, absolute: 1e-4)
            #expect(nearRounded.ok && !nearExact.ok, "rows \(rows): \(nearRounded.message)")
        }
        #expect(Gemm.precision == .float32)
    }

    /// Every task of the worker pool sees the submitter's binding, whichever thread runs it.
    /// Each task lasts a millisecond so that the other threads wake and take some; while
    /// another test holds the pool the job runs inline, so it is repeated until a run has
    /// used more than one thread.
    @Test func poolTasksSeeTheSubmittersPrecision() {
        let chunks = 24
        let seen = UnsafeMutablePointer<(precision: MatmulPrecision, thread: UInt)>.allocate(capacity: chunks)
        defer { seen.deallocate() }
        var threadsSeen = 1
        for _ in 0..<40 where threadsSeen < 2 {
            Gemm.$precision.withValue(.bfloat16) {
                ComputeThreads.run(chunks: chunks) { chunk in
                    let start = Date()
                    while Date().timeIntervalSince(start) < 0.001 {}
                    seen[chunk] = (Gemm.precision, UInt(pthread_self()))
                }
            }
            let records = (0..<chunks).map { seen[$0] }
            #expect(records.allSatisfy { $0.precision == .bfloat16 })
            threadsSeen = Set(records.map(\.thread)).count
            if threadsSeen < 2 { Thread.sleep(forTimeInterval: 0.02) }
        }
        if ComputeThreads.count > 1 { #expect(threadsSeen > 1, "no run of the job reached a second thread") }
    }

    /// A linear layer's gradients in bfloat16 point the same way as in float32 (the cosine of
    /// each gradient with its float32 counterpart above 0.999) and differ by under 1%, but do
    /// differ: the layer's own products (the weight packed once per product) ran in bfloat16.
    @Test func linearGradientsStayCloseToFloat32() {
        func gradients(_ precision: MatmulPrecision) -> [[Float]] {
            let x = random([96, 128], seed: 31), w = random([64, 128], seed: 32), bias = random([64], seed: 33)
            for t in [x, w, bias] { t.requiresGrad = true }
            let upstream = random([96, 64], seed: 34)
            Gemm.$precision.withValue(precision) {
                Tensor.linear(x, weight: w, bias: bias).backward(seed: upstream)
            }
            return [x, w, bias].map { $0.grad!.scalars }
        }
        let exact = gradients(.float32), mixed = gradients(.bfloat16)
        for (e, m) in zip(exact, mixed) {
            let dot = zip(e, m).map { $0 * $1 }.reduce(0, +)
            let norms = sqrt(e.map { $0 * $0 }.reduce(0, +)) * sqrt(m.map { $0 * $0 }.reduce(0, +))
            let error = sqrt(zip(e, m).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)) / sqrt(e.map { $0 * $0 }.reduce(0, +))
            #expect(dot / norms > 0.999 && error < 0.01, "cosine \(dot / norms), relative error \(error)")
        }
        // The bias gradient is a plain column sum (no product): identical in both precisions.
        for (index, (e, m)) in zip(exact, mixed).enumerated().dropLast() {
            let differs = e != m
            #expect(differs, "gradient \(index) is float32's exactly")
        }
    }

    private func rounded(_ values: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { Gemm.roundToBFloat16(x.baseAddress!, into: $0.baseAddress!, count: values.count) }
        }
        return out
    }

    private func product(
        _ flags: (Bool, Bool), _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: [Float], _ lda: Int,
        _ b: [Float], _ ldb: Int, _ beta: Float, _ c0: [Float], _ ldc: Int, _ precision: MatmulPrecision
    ) -> [Float] {
        var c = c0
        Gemm.$precision.withValue(precision) {
            c.withUnsafeMutableBufferPointer { cp in
                Gemm.run(
                    transposeA: flags.0, transposeB: flags.1, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
            }
        }
        return c
    }
}
