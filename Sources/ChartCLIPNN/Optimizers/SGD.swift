import ChartCLIPTensor

/// Stochastic gradient descent with momentum (PyTorch's formulation: the first step's
/// buffer is the gradient; weight decay is added to the gradient).
public final class SGD {
    /// Step size.
    public var learningRate: Float
    /// Momentum factor (0 disables the buffer).
    public var momentum: Float
    /// L2 penalty added to the gradient.
    public var weightDecay: Float
    let parameters: [Tensor]
    var buffers: [ObjectIdentifier: TensorStorage] = [:]

    /// SGD over `parameters`.
    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        let lr = learningRate, mu = momentum, wd = weightDecay
        for p in parameters {
            guard let g = p.gradStorage else { continue }
            let pp = p.storage.pointer, gp = g.pointer
            let id = ObjectIdentifier(p)
            let existing = buffers[id]
            let buffer = existing ?? TensorStorage(count: p.count)
            let b = buffer.pointer
            let first = existing == nil
            if mu != 0 { buffers[id] = buffer }
            Vector.parallelRanges(p.count) { r in Vector.forEachBlock(r) { i, n in
                var d = Vector.load(gp + i, n)
                if wd != 0 { d += wd * Vector.load(pp + i, n) }
                if mu != 0 {
                    d = first ? d : mu * Vector.load(b + i, n) + d
                    d.store(b + i, n)
                }
                (Vector.load(pp + i, n) - lr * d).store(pp + i, n)
            } }
        }
    }
}
