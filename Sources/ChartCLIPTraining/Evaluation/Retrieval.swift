/// Image→text and text→image recall@K, class-aware: a retrieved item counts as a hit when
/// its class equals the query's (templated captions repeat, so "the" matching caption is
/// rarely unique).
public struct RetrievalMetrics: Codable, Equatable, Sendable {
    /// Recall at 1, 5 and 10, image → text.
    public var imageToText: [String: Double]
    /// Recall at 1, 5 and 10, text → image.
    public var textToImage: [String: Double]

    /// Computes recall for normalised embeddings and each row's class key.
    public init(images: [[Float]], texts: [[Float]], classes: [String], ks: [Int] = [1, 5, 10]) {
        func recall(queries: [[Float]], keys: [[Float]]) -> [String: Double] {
            var hits = [Int](repeating: 0, count: ks.count)
            for (q, query) in queries.enumerated() {
                let scores = keys.map { key in zip(query, key).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
                let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                for (i, k) in ks.enumerated() where order.prefix(k).contains(where: { classes[$0] == classes[q] }) {
                    hits[i] += 1
                }
            }
            let n = Double(max(queries.count, 1))
            return Dictionary(uniqueKeysWithValues: zip(ks.map { "R@\($0)" }, hits.map { Double($0) / n }))
        }
        imageToText = recall(queries: images, keys: texts)
        textToImage = recall(queries: texts, keys: images)
    }
}
