import ChartCLIPTensor

/// Scales all gradients together so their global L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.gradStorage else { continue }
        total += Vector.sumOfSquares(g.pointer, count: p.count)
    }
    let norm = Float(total.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters {
            guard let g = p.gradStorage else { continue }
            Vector.scale(g.pointer, by: coefficient, into: g.pointer, count: p.count)
        }
    }
    return norm
}

/// The global L2 norm of the gradients that exist.
public func gradientNorm(_ parameters: [Tensor]) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.gradStorage else { continue }
        total += Vector.sumOfSquares(g.pointer, count: p.count)
    }
    return Float(total.squareRoot())
}
