/// One recorded operation on the tape: the tensors it read and how to send a gradient back.
///
/// The closure captures the inputs and the storages it needs, never the output tensor
/// (that would be a reference cycle keeping the graph alive).
final class GradNode {
    let op: String
    let inputs: [Tensor]
    var backward: ((TensorStorage) -> Void)?

    init(op: String, inputs: [Tensor], backward: @escaping (TensorStorage) -> Void) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations record the tape. Off inside `withoutGradients`.
public enum GradMode {
    /// `true` unless inside a `withoutGradients` scope of the current task or thread.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` with no tape recording (inference, metrics, optimizer updates).
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// Runs the async `body` with no tape recording.
public func withoutGradients<T>(_ body: () async throws -> T) async rethrows -> T {
    try await GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Builds the result of an operation, recording `backward` only when gradients flow.
    @inline(__always)
    static func result(
        op: String, shape: [Int], storage: TensorStorage, inputs: [Tensor],
        backward: @escaping (TensorStorage) -> Void
    ) -> Tensor {
        if OpProfiler.isEnabled { OpProfiler.shared.recordForward(op) }
        let out = Tensor(shape: shape, storage: storage)
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.node = GradNode(op: op, inputs: inputs, backward: backward)
        }
        return out
    }

    /// Lets a kernel write this tensor's gradient: `body(pointer, accumulate)` must add into
    /// the buffer when `accumulate` is true and overwrite it when false (a first gradient
    /// needs no zeroing pass).
    @inline(__always)
    func withGradient(_ body: (UnsafeMutablePointer<Float>, Bool) -> Void) {
        if let g = gradStorage {
            body(g.pointer, true)
        } else {
            let g = TensorStorage(count: count)
            body(g.pointer, false)
            gradStorage = g
        }
    }

    /// Adds `source` (same element count) into the gradient. With `owned: true` a first
    /// gradient takes the buffer itself instead of copying it.
    func accumulateGradient(_ source: TensorStorage, owned: Bool) {
        if let g = gradStorage {
            Vector.add(g.pointer, source.pointer, into: g.pointer, count: count)
        } else {
            gradStorage = owned ? source : source.copy()
        }
    }

    /// Back-propagates from this tensor. A scalar needs no seed (its gradient is 1);
    /// otherwise pass `seed` of the same shape. The tape is released afterwards, and
    /// gradients of intermediate tensors are freed; leaves keep theirs.
    public func backward(seed: Tensor? = nil) {
        guard requiresGrad else {
            shapeFailure("backward() on a tensor that does not require gradients (shape \(shape))")
        }
        if let seed {
            if seed.shape != shape { shapeFailure("backward(seed:) expects shape \(shape), got \(seed.shape)") }
            accumulateGradient(seed.storage.copy(), owned: true)
        } else {
            if count != 1 { shapeFailure("backward() without a seed needs a scalar, shape is \(shape)") }
            accumulateGradient(Tensor(scalar: 1).storage, owned: true)
        }
        let profiling = OpProfiler.isEnabled
        if profiling { OpProfiler.shared.mark() }
        for tensor in topologicalOrder().reversed() {
            guard let node = tensor.node else { continue }
            if let g = tensor.gradStorage, let step = node.backward {
                step(g)
                if profiling { OpProfiler.shared.recordBackward(node.op) }
            }
            tensor.node = nil
            tensor.gradStorage = nil
        }
    }

    /// Tensors reachable from this one through recorded nodes, inputs before outputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            if let node = tensor.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }
}
