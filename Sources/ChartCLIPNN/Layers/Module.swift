import ChartCLIPTensor

/// A layer or model: named parameters and named sublayers.
///
/// A parameter's dotted path (`blocks.3.attn.qkv.weight`) is built from these names and is
/// its checkpoint key, the same in HDF5 files, logs and error messages. Subclasses list
/// their own parameters and children in declaration order; everything else (paths, counts,
/// train/eval mode, gradients) is derived here.
open class Module {
    /// Whether the module is in training mode (dropout on). Set with `train(_:)`.
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// Direct parameters, by name.
    open var ownParameters: [(String, Tensor)] { [] }

    /// Direct sublayers, by name.
    open var children: [(String, Module)] { [] }

    /// Every parameter with its dotted path, depth first in declaration order.
    public func namedParameters(prefix: String = "") -> [(path: String, tensor: Tensor)] {
        var result: [(path: String, tensor: Tensor)] = ownParameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.namedParameters(prefix: prefix + name + ".")
        }
        return result
    }

    /// The parameters, without their names.
    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Switches this module and all sublayers between training and evaluation mode.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, child) in children { child.train(on) }
    }

    /// Evaluation mode (`train(false)`).
    public func eval() { train(false) }

    /// Clears the gradients of every parameter.
    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }

    /// Marks every parameter as trainable or frozen (frozen parameters get no gradient).
    public func setTrainable(_ trainable: Bool) {
        for p in parameters { p.requiresGrad = trainable }
    }
}

/// An indexed list of sublayers; children are named `0`, `1`, … .
public final class ModuleList<Element: Module>: Module {
    /// The layers in order.
    public let layers: [Element]

    /// Wraps `layers`.
    public init(_ layers: [Element]) {
        self.layers = layers
    }

    public override var children: [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }
}

/// Creates a trainable parameter tensor.
public func parameter(_ tensor: Tensor) -> Tensor {
    tensor.requiresGrad = true
    return tensor
}
