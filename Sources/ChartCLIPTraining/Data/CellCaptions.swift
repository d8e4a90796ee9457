import ChartCLIPSupport
import Foundation

/// The (setup, phase) cells of a training split, each with the captions of its pairs: the
/// class side of the `cells` loss. At each step every cell shows one of its pairs' captions
/// (chosen by the seed and the step), so the text tower sees every template of a cell over
/// the run, as the contrastive losses do, and a resumed run draws the same ones.
public struct CellCaptions: Sendable {
    /// Cell keys (`breakout up breakout-continuation`), sorted.
    public let cells: [String]
    /// Each pair's cell index, in the split's row order.
    public let cellOfPair: [Int]
    /// Pair indices of each cell.
    let pairsOfCell: [[Int]]
    /// The run's seed.
    let seed: UInt64

    /// The cells of `data`'s pairs.
    public init(data: PairData, seed: UInt64) {
        let keys = data.groupKeys(.setupPhase)
        cells = Array(Set(keys)).sorted()
        let index = Dictionary(uniqueKeysWithValues: cells.enumerated().map { ($1, $0) })
        cellOfPair = keys.map { index[$0]! }
        var pairs = [[Int]](repeating: [], count: cells.count)
        for (pair, cell) in cellOfPair.enumerated() { pairs[cell].append(pair) }
        pairsOfCell = pairs
        self.seed = seed
    }

    /// `batch` with the cells' captions for step `step` and each pair's cell (`indices` are
    /// the batch's pair indices in `data`).
    public func attach(to batch: inout TrainingBatch, indices: [Int], data: PairData, step: Int) {
        var random = Xoshiro256(seed: seed &+ 0xCE11 &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        let t = data.contextLength
        var ids: [Int] = []
        var ends: [Int] = []
        ids.reserveCapacity(cells.count * t)
        for pairs in pairsOfCell {
            let pair = pairs[Int(random.next() % UInt64(pairs.count))]
            ids += data.tokenIDs[(pair * t)..<((pair + 1) * t)]
            ends.append(data.endIndices[pair])
        }
        batch.cells = (ids, ends, indices.map { cellOfPair[$0] })
    }
}
