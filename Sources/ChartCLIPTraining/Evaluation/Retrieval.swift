import ChartCLIPTensor

/// Image→text and text→image recall@K, class-aware: a retrieved item counts as a hit when
/// its class equals the query's (templated captions repeat, so "the" matching caption is
/// rarely unique).
public struct RetrievalMetrics: Codable, Equatable, Sendable {
    /// Recall at 1, 5 and 10, image → text.
    public var imageToText: [String: Double]
    /// Recall at 1, 5 and 10, text → image.
    public var textToImage: [String: Double]

    /// Computes recall for normalised embeddings and each row's class key. Keys are ranked
    /// by score, ties by index; a query is a hit at K when its best-ranked key of the same
    /// class has fewer than K keys ahead of it, so no ranking is sorted and the scores come
    /// from one matrix product per block of queries (sorting made a 58,000-chart split
    /// N² log N).
    public init(images: [[Float]], texts: [[Float]], classes: [String], ks: [Int] = [1, 5, 10]) {
        var classIndex: [String: Int] = [:]
        let keyClass = classes.map { name in
            if let i = classIndex[name] { return i }
            classIndex[name] = classIndex.count
            return classIndex.count - 1
        }
        func recall(queries: [[Float]], keys: [[Float]]) -> [String: Double] {
            var hits = [Int](repeating: 0, count: ks.count)
            let n = keys.count, e = keys.first?.count ?? 0
            if n > 0 && e > 0 {
                let keyMatrix = Tensor(keys.flatMap { $0 }, shape: [n, e])
                let block = 256
                for start in stride(from: 0, to: queries.count, by: block) {
                    let rows = start..<min(start + block, queries.count)
                    let queryMatrix = Tensor(queries[rows].flatMap { $0 }, shape: [rows.count, e])
                    let scores = withoutGradients { Tensor.matmul(queryMatrix, keyMatrix, transposeB: true) }.scalars
                    for (r, q) in rows.enumerated() {
                        let row = scores[(r * n)..<((r + 1) * n)]
                        let rank = Self.rankOfBestMatch(row, keyClass: keyClass, queryClass: keyClass[q])
                        for (i, k) in ks.enumerated() where rank < k { hits[i] += 1 }
                    }
                }
            }
            let count = Double(max(queries.count, 1))
            return Dictionary(uniqueKeysWithValues: zip(ks.map { "R@\($0)" }, hits.map { Double($0) / count }))
        }
        imageToText = recall(queries: images, keys: texts)
        textToImage = recall(queries: texts, keys: images)
    }

    /// How many keys rank ahead (higher score, or the same score and a lower index) of the
    /// best-ranked key of `queryClass`; `Int.max` when no key has that class.
    static func rankOfBestMatch(_ scores: ArraySlice<Float>, keyClass: [Int], queryClass: Int) -> Int {
        let base = scores.startIndex
        var best: Int?
        for j in 0..<scores.count where keyClass[j] == queryClass {
            if best == nil || scores[base + j] > scores[base + best!] { best = j }
        }
        guard let best else { return Int.max }
        let s = scores[base + best]
        var ahead = 0
        for j in 0..<scores.count where scores[base + j] > s || (scores[base + j] == s && j < best) { ahead += 1 }
        return ahead
    }
}
