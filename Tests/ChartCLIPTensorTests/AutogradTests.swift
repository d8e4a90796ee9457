import ChartCLIPTensor
import Testing

/// The tape itself: accumulation, no-grad scopes, detach, shared inputs, RNG determinism.
@Suite struct AutogradTests {
    @Test func gradientsAccumulateUntilZeroed() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        #expect(x.grad!.scalars == [5, 5, 5])
        x.zeroGradient()
        #expect(x.grad == nil)
        (x * x).sum().backward()
        #expect(x.grad!.scalars == [2, 4, 6])
    }

    @Test func aTensorUsedTwiceGetsBothContributions() {
        let x = Tensor([3], shape: [1], requiresGrad: true)
        let y = x * x + x  // dy/dx = 2x + 1 = 7
        y.sum().backward()
        #expect(x.grad!.scalars == [7])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = withoutGradients { x * 2 }
        #expect(!y.requiresGrad)
        let z = x.detached() * 2
        #expect(!z.requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func intermediateGradientsAreFreedLeavesKept() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        let h = w * 3
        let loss = h.sum()
        loss.backward()
        #expect(h.grad == nil)
        #expect(w.grad!.scalars == [3, 3])
    }

    @Test func sameSeedSameStream() {
        let a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect((0..<100).map { _ in a.normal() } == (0..<100).map { _ in b.normal() })
        #expect(a.permutation(50) == b.permutation(50))
        let c = RandomGenerator(seed: 43)
        #expect(c.uniform() != RandomGenerator(seed: 42).uniform())
        // State round trip resumes the same stream.
        let saved = a.state
        let next = (0..<5).map { _ in a.normal() }
        let restored = RandomGenerator(seed: 0)
        restored.state = saved
        #expect((0..<5).map { _ in restored.normal() } == next)
    }

    @Test func normalAndTruncatedNormalMoments() {
        let rng = RandomGenerator(seed: 7)
        let xs = (0..<20000).map { _ in Double(rng.normal()) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
        let t = (0..<5000).map { _ in rng.truncatedNormal(std: 0.5, low: -1, high: 1) }
        #expect(t.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(Set(rng.permutation(100)) == Set(0..<100))
    }

    @Test func rowArraysSplitA2DTensorRowMajor() {
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(t.rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(Tensor([], shape: [0, 4]).rowArrays.isEmpty)
    }
}
