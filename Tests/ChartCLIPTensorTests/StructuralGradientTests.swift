import ChartCLIPTensor
import Testing

/// Reductions, reshapes, slicing, gathers and masks, checked by finite differences, plus
/// the forward values a reader can verify by hand.
@Suite struct StructuralGradientTests {
    @Test func sumMeanAndMaxAlongAxes() {
        let x = random([3, 4, 5])
        checkGradients([x]) { $0[0].sum(alongAxes: [1]) }
        checkGradients([x]) { $0[0].sum(alongAxes: [0, 2], keepingDims: true) }
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean(alongAxis: -1) }
        checkGradients([x]) { $0[0].mean() }
        let d = distinct([3, 4, 5])
        checkGradients([d]) { $0[0].max(alongAxis: 1) }
        checkGradients([d]) { $0[0].max(alongAxis: -1, keepingDims: true) }
    }

    @Test func reductionValues() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(x.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(x.sum(alongAxis: 1, keepingDims: true).shape == [2, 1])
        #expect(x.mean(alongAxis: 1).scalars == [2, 5])
        #expect(x.max(alongAxis: 1).scalars == [3, 6])
        #expect(Tensor([3, 9, 9, 1], shape: [2, 2]).argmax(alongAxis: 1) == [1, 0])
        #expect(x.sum().item == 21)
    }

    @Test func reshapePermuteTransposeSlice() {
        let x = random([2, 3, 4])
        checkGradients([x]) { $0[0].reshaped(to: [6, -1]) * 2 }
        checkGradients([x]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([x]) { $0[0].transposed() }
        checkGradients([x]) { $0[0].sliced(axis: 2, 1..<3) }
        checkGradients([x]) { $0[0].sliced(axis: 0, 1..<2) }
        let m = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(m.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(m.sliced(axis: 1, 1..<3).scalars == [2, 3, 5, 6])
    }

    @Test func concatenateAndStack() {
        let a = random([2, 3], seed: 1), b = random([2, 1], seed: 2), c = random([2, 3], seed: 3)
        checkGradients([a, b]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        checkGradients([a, c]) { Tensor.stack([$0[0], $0[1]], axis: 1) }
        let joined = Tensor.concatenate([Tensor([1, 2], shape: [1, 2]), Tensor([3, 4], shape: [1, 2])], axis: 0)
        #expect(joined.shape == [2, 2] && joined.scalars == [1, 2, 3, 4])
    }

    @Test func gatherRowsAccumulatesRepeatedRows() {
        let table = random([5, 3])
        checkGradients([table]) { $0[0].gatherRows([4, 0, 4, 2], leadingShape: [2, 2]) }
        let t = Tensor([0, 0, 1, 1, 2, 2], shape: [3, 2], requiresGrad: true)
        t.gatherRows([2, 2, 0]).sum().backward()
        #expect(t.grad!.scalars == [1, 1, 0, 0, 2, 2])
    }

    @Test func maskedFillBlocksGradient() {
        let x = random([2, 3])
        let mask = Tensor([0, 1, 0], shape: [3])
        checkGradients([x]) { $0[0].maskedFill(mask, value: -5) }
        #expect(Tensor([1, 2, 3], shape: [3]).maskedFill(mask, value: 9).scalars == [1, 9, 3])
    }

    @Test func softmaxFamily() {
        let x = random([3, 7], low: -3, high: 3)
        checkGradients([x]) { $0[0].softmax() }
        checkGradients([x]) { $0[0].logSoftmax() }
        let big = Tensor([1000, 1001, 1002], shape: [1, 3])
        let p = big.softmax().scalars
        #expect(abs(p.reduce(0, +) - 1) < 1e-6 && p[2] > p[1] && p[1] > p[0])
        #expect(big.logSoftmax().scalars.allSatisfy { $0.isFinite })
    }

    @Test func layerNormAndL2Normalize() {
        let x = random([4, 19], low: -2, high: 2)
        let w = random([19], seed: 5, low: 0.5, high: 1.5), b = random([19], seed: 6)
        checkGradients([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        checkGradients([x]) { $0[0].l2Normalized() }
        let n = Tensor([3, 4], shape: [1, 2]).l2Normalized().scalars
        #expect(abs(n[0] - 0.6) < 1e-6 && abs(n[1] - 0.8) < 1e-6)
    }

    @Test func crossEntropy() {
        let logits = random([4, 6], low: -2, high: 2)
        checkGradients([logits]) { Tensor.crossEntropy(logits: $0[0], targets: [0, 5, 2, 2]) }
        let soft = random([4, 6], seed: 9, low: 0, high: 1)
        let targets = soft / soft.sum(alongAxis: 1, keepingDims: true)
        checkGradients([logits]) { Tensor.crossEntropy(logits: $0[0], targets: targets) }
        // Uniform logits over C classes give log C.
        let uniform = Tensor.crossEntropy(logits: .zeros([2, 4]), targets: [1, 3]).item
        #expect(abs(uniform - Float(4).logValue) < 1e-6)
    }

    @Test func patchifyMatchesAStridedConvolutionLayout() {
        let images = random([2, 3, 4, 6])
        checkGradients([images]) { $0[0].patchified(patchSize: 2) }
        // One channel 2×4 image, patch 2: two patches in reading order.
        let image = Tensor((0..<8).map(Float.init), shape: [1, 1, 2, 4])
        let patches = image.patchified(patchSize: 2)
        #expect(patches.shape == [1, 2, 4])
        #expect(patches.scalars == [0, 1, 4, 5, 2, 3, 6, 7])
    }
}

extension Float {
    var logValue: Float { Float(Foundation.log(Double(self))) }
}

import Foundation

@Suite struct BroadcastToTests {
    @Test func broadcastRepeatsAndSumsBack() {
        let x = random([1, 3])
        checkGradients([x]) { $0[0].broadcast(to: [4, 2, 3]) }
        #expect(Tensor([1, 2], shape: [2]).broadcast(to: [2, 2]).scalars == [1, 2, 1, 2])
    }
}
