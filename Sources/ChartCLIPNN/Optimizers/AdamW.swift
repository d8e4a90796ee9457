import ChartCLIPTensor
import Foundation

/// AdamW (Loshchilov & Hutter): Adam with weight decay decoupled from the gradient,
/// computed exactly as `torch.optim.AdamW` does, fused into one SIMD pass per parameter.
///
/// Parameters come in groups; by default matrices decay and 1-D parameters (biases, gains),
/// embeddings and `logit_scale` do not (`AdamW.defaultDecays`).
public final class AdamW {
    /// Step size, β₁, β₂, ε and the decoupled weight decay.
    public struct Settings: Codable, Equatable, Sendable {
        /// Learning rate (the schedule's value at step 0 if a schedule drives it).
        public var learningRate: Float
        /// First-moment decay.
        public var beta1: Float
        /// Second-moment decay.
        public var beta2: Float
        /// Added to √v̂.
        public var eps: Float
        /// Decoupled weight decay for the decaying group.
        public var weightDecay: Float

        /// CLIP's usual settings: lr 5e-4, betas (0.9, 0.98), eps 1e-6, weight decay 0.1.
        public init(learningRate: Float = 5e-4, beta1: Float = 0.9, beta2: Float = 0.98, eps: Float = 1e-6, weightDecay: Float = 0.1) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
        }
    }

    /// One parameter and its moment estimates.
    final class Slot {
        let path: String
        let parameter: Tensor
        let decays: Bool
        var m: TensorStorage?
        var v: TensorStorage?
        init(path: String, parameter: Tensor, decays: Bool) {
            self.path = path
            self.parameter = parameter
            self.decays = decays
        }
    }

    /// The settings; `learningRate` may be changed between steps (schedules do).
    public var settings: Settings
    /// Number of steps taken (PyTorch's `state["step"]`, shared by all parameters here).
    public private(set) var stepCount = 0
    let slots: [Slot]

    /// `true` for parameters that take weight decay: at least 2-D, not an embedding,
    /// not `logit_scale`.
    public static func defaultDecays(path: String, tensor: Tensor) -> Bool {
        tensor.rank >= 2 && !path.contains("embedding") && !path.hasSuffix("logit_scale")
    }

    /// An optimizer over `parameters` (path, tensor), with `decays` choosing the group.
    public init(
        parameters: [(path: String, tensor: Tensor)], settings: Settings = Settings(),
        decays: (String, Tensor) -> Bool = AdamW.defaultDecays
    ) {
        self.settings = settings
        slots = parameters.map { Slot(path: $0.path, parameter: $0.tensor, decays: decays($0.path, $0.tensor)) }
    }

    /// Paths of the parameters in the decaying and the non-decaying group.
    public var groups: (decay: [String], noDecay: [String]) {
        (slots.filter(\.decays).map(\.path), slots.filter { !$0.decays }.map(\.path))
    }

    /// Updates every parameter that has a gradient, then leaves gradients as they are
    /// (call `zeroGradients` on the model before the next backward pass).
    public func step() {
        stepCount += 1
        let s = settings
        let bias1 = 1 - Foundation.pow(Double(s.beta1), Double(stepCount))
        let bias2 = 1 - Foundation.pow(Double(s.beta2), Double(stepCount))
        let stepSize = Float(Double(s.learningRate) / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        // Every parameter's update cut into pieces of at most `piece` elements, all pieces of
        // all parameters in one parallel region: most parameters of a small model are below the
        // size one elementwise kernel splits across threads, and updated one after the other
        // they kept a core idle. The update is elementwise, so the pieces change nothing.
        let piece = 1 << 14
        var pieces: [(kernel: AdamWKernel, range: Range<Int>)] = []
        for slot in slots {
            guard let g = slot.parameter.gradStorage else { continue }
            let n = slot.parameter.count
            if slot.m == nil {
                slot.m = TensorStorage(zeros: n)
                slot.v = TensorStorage(zeros: n)
            }
            let decay: Float = slot.decays ? 1 - s.learningRate * s.weightDecay : 1
            let kernel = AdamWKernel(
                p: slot.parameter.storage.pointer, g: g.pointer, m: slot.m!.pointer, v: slot.v!.pointer,
                decay: decay, beta1: s.beta1, beta2: s.beta2, oneMinusBeta1: 1 - s.beta1,
                oneMinusBeta2: 1 - s.beta2, eps: s.eps, stepSize: stepSize, bias2Sqrt: bias2Sqrt)
            for start in stride(from: 0, to: n, by: piece) {
                pieces.append((kernel, start..<min(n, start + piece)))
            }
        }
        ComputeThreads.run(chunks: pieces.count) { index in
            let (kernel, range) = pieces[index]
            Vector.forEachBlock(range) { i, lanes in kernel.apply(i, lanes) }
        }
    }

    /// Moment estimates by parameter path (`exp_avg`, `exp_avg_sq`), for checkpoints.
    public func exportState() -> (step: Int, moments: [String: (m: [Float], v: [Float])]) {
        var moments: [String: (m: [Float], v: [Float])] = [:]
        for slot in slots {
            if let m = slot.m, let v = slot.v { moments[slot.path] = (m.array, v.array) }
        }
        return (stepCount, moments)
    }

    /// Restores moment estimates saved by `exportState`; fails naming the parameter whose
    /// saved size does not match.
    public func importState(step: Int, moments: [String: (m: [Float], v: [Float])]) throws {
        for slot in slots {
            guard let saved = moments[slot.path] else {
                slot.m = nil
                slot.v = nil
                continue
            }
            let n = slot.parameter.count
            guard saved.m.count == n, saved.v.count == n else {
                throw OptimizerStateError(path: slot.path, expected: n, found: saved.m.count)
            }
            slot.m = saved.m.withUnsafeBufferPointer { TensorStorage(copying: $0) }
            slot.v = saved.v.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        }
        stepCount = step
    }
}

/// Saved optimizer state that does not fit the model.
public struct OptimizerStateError: Error, CustomStringConvertible {
    /// The parameter's path.
    public var path: String
    /// Elements the parameter has.
    public var expected: Int
    /// Elements the saved state has.
    public var found: Int

    public var description: String {
        "optimizer state for \(path) has \(found) elements, the parameter has \(expected); the checkpoint belongs to a different model"
    }
}

/// AdamW's update of one block of a parameter, fused, in PyTorch's order of operations:
/// p ← p·(1 − lr·wd); m ← m + (g − m)(1 − β₁); v ← β₂v + (1 − β₂)g²;
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
struct AdamWKernel: BlockKernel {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let decay: Float, beta1: Float, beta2: Float, oneMinusBeta1: Float, oneMinusBeta2: Float
    let eps: Float, stepSize: Float, bias2Sqrt: Float

    @inline(__always) func apply(_ i: Int, _ lanes: Int) {
        let gv = Vector.load(g + i, lanes)
        var mv = Vector.load(m + i, lanes)
        mv = mv + (gv - mv) * oneMinusBeta1
        let vv = Vector.load(v + i, lanes) * beta2 + gv * gv * oneMinusBeta2
        let denominator = SIMDMath.sqrt(vv) / bias2Sqrt + eps
        let pv = Vector.load(p + i, lanes) * decay - stepSize * mv / denominator
        pv.store(p + i, lanes)
        mv.store(m + i, lanes)
        vv.store(v + i, lanes)
    }
}
