/// Element counts of shapes read from files, which may be damaged or hostile: a product
/// that overflows must become an error, not a trap.
enum ShapeProduct {
    /// The product of `shape` (1 for `[]`), or `nil` if it overflows `Int` or a dimension
    /// is negative.
    static func count(_ shape: [Int]) -> Int? {
        var product = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// The product, or `Int.max` when it overflows (for descriptive properties).
    static func saturatingCount(_ shape: [Int]) -> Int {
        count(shape) ?? .max
    }

    /// The largest array ChartCLIP allocates for one dataset or tensor (16 GiB).
    static let maximumBytes = 1 << 34
}
