import ChartCLIPSupport
import Foundation

/// Batches that draw classes equally often (or by the square root of their counts), seeded
/// by (seed, step) alone, so a resumed run draws the same batches as an uninterrupted one.
///
/// Each pair of a batch picks a class by the weights, then a row of that class uniformly;
/// rows repeat across steps as often as their class's weight asks (sampling with
/// replacement, as class-balanced samplers do, e.g. PyTorch's `WeightedRandomSampler`).
public struct BalancedOrder: Sendable {
    /// Row indices of each non-empty class.
    public let rowsByClass: [[Int]]
    /// Cumulative class weights, ending at 1.
    let cumulative: [Double]
    /// Pairs per step.
    public let batchSize: Int
    /// The run's seed.
    public let seed: UInt64

    /// An order over rows labelled `classes` (any hashable label per row); `sqrt` weighs
    /// classes by the square root of their counts instead of equally.
    public init<Label: Hashable>(classes: [Label], batchSize: Int, seed: UInt64, sqrt: Bool = false) {
        var byLabel: [Label: [Int]] = [:]
        var firstSeen: [Label] = []
        for (row, label) in classes.enumerated() {
            if byLabel[label] == nil { firstSeen.append(label) }
            byLabel[label, default: []].append(row)
        }
        rowsByClass = firstSeen.map { byLabel[$0]! }
        let weights = rowsByClass.map { sqrt ? Foundation.sqrt(Double($0.count)) : 1 }
        let total = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { running += $0 / total; return running }
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Row indices of the batch for optimizer step `step`.
    public func indices(step: Int) -> [Int] {
        var random = Xoshiro256(seed: seed &+ 0xBA1A_9CED &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        return (0..<batchSize).map { _ in
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let c = cumulative.firstIndex { u < $0 } ?? cumulative.count - 1
            let rows = rowsByClass[c]
            return rows[Int(random.next() % UInt64(rows.count))]
        }
    }
}
