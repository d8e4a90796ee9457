import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation

/// What the predictor says about one chart.
public struct ChartPrediction: Equatable, Sendable {
    /// The most probable setup (type and direction).
    public var setup: SetupMatch
    /// The most probable phase.
    public var phase: PhaseType
    /// The calibrated probability of `setup`.
    public var confidence: Double
    /// The raw probability of `setup`.
    public var rawConfidence: Double
    /// Probability of each setup class (`breakout/up`, …).
    public var setupProbabilities: [String: Double]
    /// Probability of each phase.
    public var phaseProbabilities: [String: Double]
}

/// The thin predictor: the image tower and precomputed class embeddings. Loading it needs
/// neither the text tower nor the tokenizer.
public final class Predictor {
    /// The file's contents.
    public let file: PredictorFile
    let visual: VisionTransformer
    let setups: ZeroShotClassifier
    let phases: ZeroShotClassifier
    let setupMatches: [SetupMatch]

    /// Loads `url`.
    public convenience init(url: URL) throws {
        try self.init(file: try PredictorFile.load(from: url))
    }

    /// Builds the image tower from the file's weights.
    public init(file: PredictorFile) throws {
        self.file = file
        let c = file.config
        visual = VisionTransformer(config: c.visionConfig, embedDim: c.embedDim, activation: c.activation, rng: RandomGenerator(seed: 0))
        for (path, tensor) in visual.namedParameters(prefix: "visual.") {
            guard let values = file.visualParameters[path], values.count == tensor.count else {
                throw ChartCLIPError("the predictor has no weights for \(path)")
            }
            values.withUnsafeBufferPointer { tensor.storage.pointer.update(from: $0.baseAddress!, count: values.count) }
        }
        visual.eval()
        let scale = Foundation.exp(file.logitScale)
        setups = ZeroShotClassifier(
            classes: file.setupNames, embeddings: file.setupEmbeddings, width: c.embedDim, scale: scale,
            rowClasses: file.setupRows?.classes, rowLogWeights: file.setupRows?.logWeights)
        phases = ZeroShotClassifier(
            classes: file.phaseNames, embeddings: file.phaseEmbeddings, width: c.embedDim, scale: scale,
            rowClasses: file.phaseRows?.classes, rowLogWeights: file.phaseRows?.logWeights)
        setupMatches = try file.setupNames.map { name in
            guard let match = SetupMatch(description: name) else {
                throw ChartCLIPError("the predictor's setup class '\(name)' is not in the vocabulary")
            }
            return match
        }
    }

    /// Input image side.
    public var imageSize: Int { file.config.visionConfig.imageSize }

    /// Normalised image embeddings `[N][E]` of charts.
    public func embed(_ images: [RasterImage], batchSize: Int = 32) -> [[Float]] {
        var rows: [[Float]] = []
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let chunk = Array(images[start..<min(start + batchSize, images.count)])
            let tensor = ImageBatch.tensor(chunk, size: imageSize)
            rows += withoutGradients { visual(tensor).l2Normalized() }.rowArrays
        }
        return rows
    }

    /// Predictions for charts (any size; resized like CLIP's preprocessing).
    public func predict(_ images: [RasterImage]) -> [ChartPrediction] {
        predict(embeddings: embed(images))
    }

    /// Predictions from normalised image embeddings.
    public func predict(embeddings: [[Float]]) -> [ChartPrediction] {
        let setupProbabilities = setups.probabilities(embeddings)
        let phaseProbabilities = phases.probabilities(embeddings)
        return zip(setupProbabilities, phaseProbabilities).map { sp, pp in
            let s = sp.indices.max(by: { sp[$0] < sp[$1] })!
            let p = pp.indices.max(by: { pp[$0] < pp[$1] })!
            return ChartPrediction(
                setup: setupMatches[s], phase: PhaseType(rawValue: file.phaseNames[p]) ?? .range,
                confidence: file.calibration.apply(Double(sp[s]), classIndex: s), rawConfidence: Double(sp[s]),
                setupProbabilities: Dictionary(uniqueKeysWithValues: zip(file.setupNames, sp.map(Double.init))),
                phaseProbabilities: Dictionary(uniqueKeysWithValues: zip(file.phaseNames, pp.map(Double.init))))
        }
    }
}

extension SetupMatch {
    /// Parses `type/direction` (the `description` form), e.g. `fakeout/down`.
    public init?(description: String) {
        let parts = description.split(separator: "/").map(String.init)
        guard parts.count == 2, let type = SetupType(rawValue: parts[0]), let direction = SetupDirection(rawValue: parts[1]) else {
            return nil
        }
        self.init(type, direction)
    }
}
