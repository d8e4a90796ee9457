import ChartCLIPSupport
import ChartCLIPNN
import ChartCLIPTensor
import Foundation

/// `chartclip bench core`: a ViT-like transformer block, forward + backward, against this
/// machine's own `cblas_sgemm` peak measured in the same run, plus the fused attention
/// kernel against its composite of primitive operations.
public struct CoreBenchmark {
    /// Block shape: batch, tokens, width, heads (MLP 4×width).
    public var batch = 64, tokens = 65, width = 256, heads = 4
    /// Measured runs (the median is reported) and warm-up runs.
    public var runs = 10, warmup = 3

    /// A benchmark with the default shape (B=64, T=65, D=256, H=4).
    public init() {}

    /// Every figure the command prints, for machines too.
    public struct Report: Codable, Sendable {
        public var environment: BenchEnvironment
        public var sgemmGFLOPS: Double
        public var blockMilliseconds: Double
        public var blockGFLOPS: Double
        public var blockPercentOfPeak: Double
        public var attentionFusedMilliseconds: Double
        public var attentionCompositeMilliseconds: Double
    }

    /// Multiply-adds ×2 of one forward pass of the block.
    public var blockForwardFLOPs: Double {
        Double(batch) * FLOPCount.transformer(tokens: Double(tokens), width: Double(width), layers: 1, mlpRatio: 4)
    }

    /// GFLOP/s of a square `size`³ single-precision GEMM at the configured thread count.
    public static func sgemmGFLOPS(size: Int = 1024, runs: Int = 10) -> Double {
        let a = Tensor.randomNormal([size, size], rng: RandomGenerator(seed: 1))
        let b = Tensor.randomNormal([size, size], rng: RandomGenerator(seed: 2))
        let c = Tensor.zeros([size, size])
        let times = Timing.measure(warmup: 2, runs: runs) {
            Gemm.run(
                transposeA: false, transposeB: false, m: size, n: size, k: size, a: a.storage.pointer, lda: size,
                b: b.storage.pointer, ldb: size, beta: 0, c: c.storage.pointer, ldc: size)
        }
        return 2 * pow(Double(size), 3) / Timing.median(times) / 1e9
    }

    /// Runs everything and returns the figures.
    public func run() -> Report {
        let peak = Self.sgemmGFLOPS()
        let rng = RandomGenerator(seed: 7)
        let block = TransformerBlock(dimension: width, heads: heads, activation: .quickGELU, rng: rng)
        let x = Tensor.randomNormal([batch, tokens, width], rng: rng, requiresGrad: true)
        let upstream = Tensor.randomNormal([batch, tokens, width], rng: rng)
        let blockTimes = Timing.measure(warmup: warmup, runs: runs) {
            block.zeroGradients()
            x.zeroGradient()
            block(x, causal: false).backward(seed: upstream)
        }
        let blockSeconds = Timing.median(blockTimes)
        let blockGFLOPS = 3 * blockForwardFLOPs / blockSeconds / 1e9

        let qkv = Tensor.randomNormal([batch, tokens, 3 * width], rng: rng, requiresGrad: true)
        let attentionUpstream = Tensor.randomNormal([batch, tokens, width], rng: rng)
        let fused = Timing.measure(warmup: warmup, runs: runs) {
            qkv.zeroGradient()
            Tensor.attention(qkv: qkv, heads: heads, causal: false).backward(seed: attentionUpstream)
        }
        let composite = Timing.measure(warmup: warmup, runs: runs) {
            qkv.zeroGradient()
            Tensor.attentionComposite(qkv: qkv, heads: heads, causal: false).backward(seed: attentionUpstream)
        }
        return Report(
            environment: .current(), sgemmGFLOPS: peak, blockMilliseconds: blockSeconds * 1e3, blockGFLOPS: blockGFLOPS,
            blockPercentOfPeak: 100 * blockGFLOPS / peak,
            attentionFusedMilliseconds: Timing.median(fused) * 1e3,
            attentionCompositeMilliseconds: Timing.median(composite) * 1e3)
    }

    /// GFLOP/s of `Tensor.linear` forward and forward+backward for a transformer block's layer
    /// shapes (rows, in, out) at `width` (QKV, output, MLP up and down), to see the matrix
    /// products in isolation. The defaults are clip-small's image tower (64 charts of 65 tokens).
    public static func linearShapes(rows: Int = 4160, width: Int = 256, runs: Int = 10) -> [String] {
        let shapes = [(rows, width, 3 * width), (rows, width, width), (rows, width, 4 * width), (rows, 4 * width, width)]
        var lines: [String] = []
        for (rows, din, dout) in shapes {
            let rng = RandomGenerator(seed: 3)
            let x = Tensor.randomNormal([rows, din], rng: rng, requiresGrad: true)
            let w = Tensor.randomNormal([dout, din], std: 0.05, rng: rng, requiresGrad: true)
            let b = Tensor.zeros([dout], requiresGrad: true)
            let g = Tensor.randomNormal([rows, dout], rng: rng)
            let flops = 2.0 * Double(rows * din * dout)
            let fwd = Timing.median(Timing.measure(warmup: 2, runs: runs) { _ = withoutGradients { Tensor.linear(x, weight: w, bias: b) } })
            let both = Timing.median(Timing.measure(warmup: 2, runs: runs) {
                x.zeroGradient(); w.zeroGradient(); b.zeroGradient()
                Tensor.linear(x, weight: w, bias: b).backward(seed: g)
            })
            lines.append(String(format: "linear %5d x %4d -> %4d: forward %6.1f GFLOP/s, backward %6.1f GFLOP/s", rows, din, dout,
                flops / fwd / 1e9, 2 * flops / max(both - fwd, 1e-9) / 1e9))
        }
        return lines
    }

    /// The report as the lines the command prints.
    public func describe(_ r: Report) -> String {
        var lines = r.environment.lines()
        lines.append(String(format: "cblas_sgemm 1024x1024x1024: %.1f GFLOP/s (median of 10)", r.sgemmGFLOPS))
        lines.append(String(
            format: "ViT block B=%d T=%d D=%d H=%d MLP=%d, forward+backward: %.2f ms/step, %.1f GFLOP/s, %.1f%% of sgemm peak",
            batch, tokens, width, heads, 4 * width, r.blockMilliseconds, r.blockGFLOPS, r.blockPercentOfPeak))
        lines.append(String(
            format: "attention forward+backward: fused %.2f ms, composite %.2f ms (fused is %.2fx faster)",
            r.attentionFusedMilliseconds, r.attentionCompositeMilliseconds,
            r.attentionCompositeMilliseconds / r.attentionFusedMilliseconds))
        return lines.joined(separator: "\n")
    }
}
