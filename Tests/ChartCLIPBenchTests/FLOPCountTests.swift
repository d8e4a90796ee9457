import ChartCLIPBench
import ChartCLIPModels
import Testing

/// The benchmarks' FLOP counts equal `../shared/bench/clip_ref.py`'s analytic ones
/// (`flops_per_step` in its JSON), so GFLOP/s figures compare with PyTorch's.
@Suite struct FLOPCountTests {
    @Test func trainingStepsMatchTheReferenceScript() throws {
        // clip_ref.py --config tiny|small --mode train --batch 64
        #expect(FLOPCount.trainingStep(try CLIPConfig.load("clip-tiny"), batch: 64) == 4_484_333_568)
        #expect(FLOPCount.trainingStep(try CLIPConfig.load("clip-small"), batch: 64) == 167_108_542_464)
    }

    @Test func imageTowerForwardMatchesTheReferenceScript() throws {
        // clip_ref.py --config base --mode vision-fwd --batch 8
        #expect(8 * FLOPCount.imageTower(try CLIPConfig.load("clip-vit-b-16")) == 281_015_255_040)
    }

    @Test func coreBlockIsOneTransformerLayer() {
        // B=64, T=65, D=256, MLP 4×: 64 · 65 · (24 · 256² + 4 · 65 · 256).
        #expect(CoreBenchmark().blockForwardFLOPs == 64 * 65 * (24 * 65_536 + 4 * 65 * 256))
    }
}
