import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Image-caption pairs of one split, held in memory ready for batching, captions tokenized
/// once. A chart already at the model's input size is kept as its PNG bytes (a 224-pixel
/// chart is about 4 kB compressed against 150 kB of RGB8) and decoded when a batch needs it,
/// so a few hundred thousand charts fit in memory; any other image is decoded and resized
/// once and kept as RGB8. Every image is decoded once while loading, so a damaged file stops
/// the load and names the file.
public final class PairData: @unchecked Sendable {
    /// How one image is held.
    enum Stored {
        /// PNG bytes of an image at the model's size.
        case png(Data)
        /// Decoded (and resized) pixels.
        case pixels(RasterImage)
    }

    /// The dataset rows, in order.
    public let rows: [VisionDataset.Row]
    /// The images, in row order.
    let stored: [Stored]
    /// `[N·T]` token ids folded into the model's vocabulary.
    public let tokenIDs: [Int]
    /// `[N]` end-of-text positions.
    public let endIndices: [Int]
    /// Context length T.
    public let contextLength: Int
    /// Image side S.
    public let imageSize: Int

    /// Loads `rows`, reading and checking images in parallel with a progress bar.
    public init(rows: [VisionDataset.Row], config: CLIPConfig, tokenizer: CLIPTokenizer, label: String = "loading charts", progress: Bool = true) throws {
        self.rows = rows
        let size = config.visionConfig.imageSize
        imageSize = size
        contextLength = config.textConfig.contextLength
        let pre = CLIPImagePreprocessor(size: size)
        let bar = ProgressBar(total: rows.count, label: label, enabled: progress && rows.count > 200)
        var loaded = [Stored?](repeating: nil, count: rows.count)
        let failure = FirstError()
        let chunks = max(1, ComputeThreads.count)
        loaded.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in ComputeThreads.splitRange(rows.count, chunks: chunks, index: c) {
                    do {
                        let url = rows[i].imageURL
                        let bytes: Data
                        do {
                            bytes = try Data(contentsOf: url)
                        } catch {
                            throw ChartCLIPError("cannot read the chart", at: url.path, hint: "\(error.localizedDescription); prepare the dataset again")
                        }
                        let image = try PNGCodec.decode(bytes, source: url.path)
                        out[i] = (image.width == size && image.height == size) ? .png(bytes) : .pixels(pre.resizedAndCropped(image))
                    } catch {
                        failure.record(error)
                    }
                    if c == 0 { bar.update(i + 1) }
                }
            }
        }
        if let error = failure.error { throw error }
        bar.update(rows.count)
        stored = loaded.map { $0! }
        let tokens = try tokenizer.tokenize(rows.map(\.caption), contextLength: contextLength)
        tokenIDs = CLIPModel.foldTokenIDs(tokens.ids, vocabularySize: config.textConfig.vocabSize)
        endIndices = tokens.endIndices
    }

    /// The image of pair `index` at the model's size.
    public func image(at index: Int) throws -> RasterImage {
        switch stored[index] {
        case .png(let bytes): try PNGCodec.decode(bytes, source: rows[index].imageURL.path)
        case .pixels(let image): image
        }
    }

    /// Bytes held for the images: what the split costs in memory.
    public var imageBytes: Int {
        stored.reduce(0) { total, item in
            switch item {
            case .png(let bytes): total + bytes.count
            case .pixels(let image): total + image.pixels.count
            }
        }
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

    /// The pairs at `indices` as a batch; `augment` transforms each image first. Images are
    /// decoded on all compute threads.
    public func batch(_ indices: [Int], grouping: PositiveGrouping, augment: (@Sendable (RasterImage, Int) -> RasterImage)? = nil) throws -> TrainingBatch {
        let pre = CLIPImagePreprocessor(size: imageSize)
        let per = pre.valuesPerImage
        let storage = TensorStorage(count: indices.count * per)
        let failure = FirstError()
        let chunks = max(1, min(ComputeThreads.count, indices.count))
        nonisolated(unsafe) let base = storage.pointer
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for k in ComputeThreads.splitRange(indices.count, chunks: chunks, index: c) {
                do {
                    let i = indices[k]
                    let decoded = try image(at: i)
                    pre.write(augment.map { $0(decoded, i) } ?? decoded, into: base + k * per)
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
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
