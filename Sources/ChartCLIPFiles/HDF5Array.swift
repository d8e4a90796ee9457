/// Values read from an HDF5 dataset with their shape (row-major, C order, as numpy).
public struct HDF5Array<Element: HDF5Element>: Sendable {
    /// The values in row-major order; `values.count` is the product of `shape`.
    public var values: [Element]
    /// The dimensions; `[]` for a scalar (0-dimensional) dataset.
    public var shape: [Int]

    /// Pairs values with a shape.
    public init(values: [Element], shape: [Int]) {
        self.values = values
        self.shape = shape
    }
}

extension HDF5Array: Equatable where Element: Equatable {}

/// What a dataset holds, without reading its values.
public struct HDF5DatasetInfo: Equatable, Sendable {
    /// Path from the file's root without a leading slash: `visual.blocks.3.attn.qkv.weight`
    /// or `optimizer/adam_m/visual.blocks.3.attn.qkv.weight`.
    public var path: String
    /// The dimensions; `[]` for a scalar.
    public var shape: [Int]
    /// The stored value type.
    public var valueType: HDF5ValueType

    /// Number of values (the product of `shape`; 1 for a scalar; `Int.max` if a damaged
    /// file claims more than `Int` can count).
    public var count: Int { ShapeProduct.saturatingCount(shape) }
}
