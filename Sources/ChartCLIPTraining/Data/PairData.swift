import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Image-caption pairs of one split, held in memory ready for batching: images decoded
/// and resized to the model's input size once (RGB8), captions tokenized once.
public final class PairData: @unchecked Sendable {
    /// The dataset rows, in order.
    public let rows: [VisionDataset.Row]
    /// Decoded images at the model's size.
    public let images: [RasterImage]
    /// `[N·T]` token ids folded into the model's vocabulary.
    public let tokenIDs: [Int]
    /// `[N]` end-of-text positions.
    public let endIndices: [Int]
    /// Context length T.
    public let contextLength: Int
    /// Image side S.
    public let imageSize: Int

    /// Loads `rows`, decoding images in parallel with a progress bar.
    public init(rows: [VisionDataset.Row], config: CLIPConfig, tokenizer: CLIPTokenizer, label: String = "loading charts", progress: Bool = true) throws {
        self.rows = rows
        let size = config.visionConfig.imageSize
        imageSize = size
        contextLength = config.textConfig.contextLength
        let pre = CLIPImagePreprocessor(size: size)
        let bar = ProgressBar(total: rows.count, label: label, enabled: progress && rows.count > 200)
        var decoded = [RasterImage?](repeating: nil, count: rows.count)
        let failure = FirstError()
        let chunks = max(1, ComputeThreads.count)
        decoded.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in ComputeThreads.splitRange(rows.count, chunks: chunks, index: c) {
                    do {
                        let image = try PNGCodec.read(from: rows[i].imageURL)
                        out[i] = (image.width == size && image.height == size) ? image : pre.resizedAndCropped(image)
                    } catch {
                        failure.record(error)
                    }
                    if c == 0 { bar.update(i + 1) }
                }
            }
        }
        if let error = failure.error { throw error }
        bar.update(rows.count)
        images = decoded.map { $0! }
        let tokens = try tokenizer.tokenize(rows.map(\.caption), contextLength: contextLength)
        tokenIDs = CLIPModel.foldTokenIDs(tokens.ids, vocabularySize: config.textConfig.vocabSize)
        endIndices = tokens.endIndices
    }

    /// Number of pairs N.
    public var count: Int { rows.count }

    /// Group ids for the multi-positive loss.
    public func groupKeys(_ grouping: PositiveGrouping) -> [String] {
        rows.map { row in
            switch grouping {
            case .caption: return row.caption
            case .setup: return row.label.match.description
            case .setupPhase: return "\(row.label.match) \(row.label.phaseType.rawValue)"
            }
        }
    }

    /// The pairs at `indices` as a batch; `augment` transforms each image first.
    public func batch(_ indices: [Int], grouping: PositiveGrouping, augment: ((RasterImage, Int) -> RasterImage)? = nil) -> TrainingBatch {
        let pre = CLIPImagePreprocessor(size: imageSize)
        let per = pre.valuesPerImage
        let storage = TensorStorage(count: indices.count * per)
        for (k, i) in indices.enumerated() {
            let image = augment.map { $0(images[i], i) } ?? images[i]
            pre.write(image, into: storage.pointer + k * per)
        }
        let t = contextLength
        var ids: [Int] = []
        ids.reserveCapacity(indices.count * t)
        for i in indices { ids += tokenIDs[(i * t)..<((i + 1) * t)] }
        let keys = groupKeys(grouping)
        return TrainingBatch(
            images: Tensor(shape: [indices.count, 3, imageSize, imageSize], storage: storage), tokenIDs: ids,
            endIndices: indices.map { endIndices[$0] }, groups: ContrastiveLoss.groups(of: indices.map { keys[$0] }))
    }
}

/// The data order of a run as a pure function of (seed, step): each epoch is a seeded
/// permutation, cut into full batches (the last partial batch is dropped). A resumed run
/// therefore sees exactly the batches an uninterrupted one would.
public struct DataOrder: Sendable {
    /// Pairs in the split.
    public let count: Int
    /// Pairs per step.
    public let batchSize: Int
    /// The run's seed.
    public let seed: UInt64

    /// Creates the order.
    public init(count: Int, batchSize: Int, seed: UInt64) {
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Full batches per epoch.
    public var batchesPerEpoch: Int { max(1, count / batchSize) }

    /// Row indices of the batch for optimizer step `step`.
    public func indices(step: Int) -> [Int] {
        let epoch = step / batchesPerEpoch, position = step % batchesPerEpoch
        let permutation = RandomGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9).permutation(count)
        let size = min(batchSize, count)
        return Array(permutation[(position * size)..<((position + 1) * size)])
    }
}

/// Chart-safe augmentation: a random crop that always keeps the right edge (the last
/// candle) and a random vertical window, resized back to the input size. No flips: with a
/// flip, time would run backwards.
public struct ChartAugmentation: Sendable {
    /// Smallest crop side as a fraction of the image.
    public var minScale: Float
    /// The run's seed.
    public var seed: UInt64

    /// Creates the augmentation.
    public init(minScale: Float, seed: UInt64) {
        self.minScale = minScale
        self.seed = seed
    }

    /// The augmented image for pair `index` at `step`, a pure function of both.
    public func apply(_ image: RasterImage, step: Int, index: Int) -> RasterImage {
        let rng = RandomGenerator(seed: seed ^ (UInt64(step) &* 0x1000_0001) ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let w = image.width, h = image.height
        let cw = max(8, Int(Float(w) * rng.uniform(minScale, 1)))
        let ch = max(8, Int(Float(h) * rng.uniform(minScale, 1)))
        let y = rng.integer(below: h - ch + 1)
        let crop = image.cropped(x: w - cw, y: y, width: cw, height: ch)  // right edge kept
        return crop.resizedBicubic(width: w, height: h)
    }
}

/// The first error raised by concurrent work.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?

    /// Keeps `error` if it is the first.
    func record(_ error: Error) {
        lock.lock()
        if stored == nil { stored = error }
        lock.unlock()
    }

    /// The first error, if any.
    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
