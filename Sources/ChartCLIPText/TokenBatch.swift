/// One text as CLIP token ids, padded to the context length.
public struct TokenizedText: Equatable, Sendable {
    /// `[T]`: start token, BPE ids, end token, then zeros.
    public var ids: [Int32]
    /// Number of ids before the padding (start and end token included).
    public var length: Int
    /// Position of the first end token, where the text encoder pools.
    public var endIndex: Int

    /// The ids without padding.
    public var unpaddedIDs: ArraySlice<Int32> { ids[..<length] }
}

/// A batch of texts as CLIP token ids, ready to map onto a `[B, T]` tensor.
public struct TokenBatch: Equatable, Sendable {
    /// `[B, T]` row-major: row `b` is `ids[b * contextLength ..< (b + 1) * contextLength]`.
    public var ids: [Int32]
    /// B, the number of texts.
    public var batchSize: Int
    /// T, the number of ids per text.
    public var contextLength: Int
    /// `[B]`: position of each row's first end token, where the text encoder pools.
    public var endIndices: [Int]

    /// The ids of row `index`.
    public func row(_ index: Int) -> ArraySlice<Int32> {
        ids[(index * contextLength)..<((index + 1) * contextLength)]
    }
}
