/// An n-dimensional array of `Float` with reverse-mode automatic differentiation.
///
/// Storage is contiguous and row-major. Every operation on tensors that require gradients
/// records its inputs and one backward closure (micrograd's design, scaled up to tensors);
/// `backward()` walks that tape in reverse topological order and each closure *accumulates*
/// into its inputs' gradients. Gradients of leaf tensors accumulate until `zeroGradient()`.
public final class Tensor: CustomStringConvertible {
    /// Size of each dimension, outermost first.
    public let shape: [Int]
    /// The elements, row-major. Shared (not copied) by `reshaped(to:)` and `detached()`.
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs);
    /// results of operations require gradients when any input does (outside `withoutGradients`).
    public var requiresGrad: Bool
    /// The accumulated gradient, same shape as the tensor; `nil` until a backward pass
    /// reaches it. Only leaf tensors keep theirs after `backward()`.
    public internal(set) var gradStorage: TensorStorage?
    /// The recorded operation that produced this tensor, if gradients flow through it.
    var node: GradNode?
    /// An optional name used in messages (parameters carry their checkpoint path).
    public var name: String?

    /// Wraps existing storage. `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        let count = shape.reduce(1, *)
        if storage.count != count {
            shapeFailure("Tensor(shape: \(shape)) needs \(count) elements, the storage has \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding a copy of `values`.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        let count = shape.reduce(1, *)
        if values.count != count {
            shapeFailure("Tensor(_:shape: \(shape)) needs \(count) values, got \(values.count)")
        }
        let storage = values.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A tensor of the given shape filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        let storage = TensorStorage(count: shape.reduce(1, *))
        storage.pointer.update(repeating: value, count: storage.count)
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A zero-dimensional tensor holding `value`.
    public convenience init(scalar value: Float, requiresGrad: Bool = false) {
        self.init([value], shape: [], requiresGrad: requiresGrad)
    }

    /// Zeros of the given shape.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(zeros: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// Ones of the given shape.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Independent standard-normal entries scaled by `std`, drawn from `rng`.
    public static func randomNormal(
        _ shape: [Int], std: Float = 1, rng: RandomGenerator, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), requiresGrad: requiresGrad)
        for i in 0..<t.count { t.storage.pointer[i] = std * rng.normal() }
        return t
    }

    /// Independent uniform entries in `[low, high)`, drawn from `rng`.
    public static func randomUniform(
        _ shape: [Int], low: Float, high: Float, rng: RandomGenerator, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), requiresGrad: requiresGrad)
        for i in 0..<t.count { t.storage.pointer[i] = rng.uniform(low, high) }
        return t
    }

    /// Truncated-normal entries (mean 0, `std`, cut at ±2 std), as open_clip initialises.
    public static func truncatedNormal(
        _ shape: [Int], std: Float, rng: RandomGenerator, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), requiresGrad: requiresGrad)
        for i in 0..<t.count {
            t.storage.pointer[i] = rng.truncatedNormal(std: std, low: -2 * std, high: 2 * std)
        }
        return t
    }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// The elements as an array, row-major (copies).
    public var scalars: [Float] { storage.array }
    /// The rows of a 2-D tensor as arrays, `[N][E]` (embeddings or class scores handed to code
    /// outside the tensor core).
    public var rowArrays: [[Float]] {
        if shape.count != 2 { shapeFailure("rowArrays needs a 2-D tensor, shape is \(shape)") }
        let width = shape[1], values = scalars
        return (0..<shape[0]).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }
    /// The single element of a one-element tensor.
    public var item: Float {
        if count != 1 { shapeFailure("item needs a tensor with one element, shape is \(shape)") }
        return storage.pointer[0]
    }

    /// The gradient as a tensor (sharing its storage), or `nil` before any backward pass.
    public var grad: Tensor? {
        gradStorage.map { Tensor(shape: shape, storage: $0) }
    }

    /// `true` for tensors not produced by a recorded operation (parameters and inputs).
    public var isLeaf: Bool { node == nil }

    /// Clears the accumulated gradient.
    public func zeroGradient() { gradStorage = nil }

    /// The same values, cut from the tape: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A copy with its own storage, cut from the tape.
    public func copy() -> Tensor { Tensor(shape: shape, storage: storage.copy()) }

    /// Overwrites the values in place (no gradient is recorded). Shapes must match.
    public func assign(_ other: Tensor) {
        if other.shape != shape { shapeFailure("assign: shape \(shape) cannot take values of shape \(other.shape)") }
        storage.pointer.update(from: other.storage.pointer, count: count)
    }

    /// `Tensor([2, 3]) [1.0, 2.0, …]`, abbreviated past 8 elements.
    public var description: String {
        let values = storage.array.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape)) [\(values)\(count > 8 ? ", …" : "")]"
    }
}

/// Stops with a message naming the operation and the shapes involved. Shape mismatches are
/// programming errors in model code (like an index out of range); values that come from
/// users (configs, checkpoints, images) are validated before they reach tensors.
func shapeFailure(_ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("ChartCLIP shape error: \(message)", file: file, line: line)
}
