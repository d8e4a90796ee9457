import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Zero-shot classification with prompt ensembles (CLIP §3.1.4): each class is the
/// re-normalised mean of the text embeddings of its prompts (the caption templates), and an
/// image is scored by cosine similarity times the model's logit scale.
public struct ZeroShotClassifier: Sendable {
    /// Class names.
    public let classes: [String]
    /// `[C, E]` normalised class embeddings, row-major.
    public let embeddings: [Float]
    /// E.
    public let width: Int
    /// exp(logit_scale) used as the softmax temperature's inverse.
    public let scale: Float

    /// A classifier from given class embeddings (e.g. an exported predictor's).
    public init(classes: [String], embeddings: [Float], width: Int, scale: Float) {
        self.classes = classes
        self.embeddings = embeddings
        self.width = width
        self.scale = scale
    }

    /// Embeds every class's prompts with `model` and averages them.
    public init(model: CLIPModel, tokenizer: CLIPTokenizer, classes: [String], prompts: [[String]]) throws {
        let t = model.config.textConfig.contextLength
        var rows: [Float] = []
        var width = 0
        for texts in prompts {
            let tokens = try tokenizer.tokenize(texts, contextLength: t)
            let features = withoutGradients { model.encodeText(tokens, normalized: true) }
            width = features.shape[1]
            let mean = withoutGradients { features.mean(alongAxis: 0, keepingDims: true).l2Normalized() }
            rows += mean.scalars
        }
        self.init(classes: classes, embeddings: rows, width: width, scale: Foundation.exp(model.logitScale.item))
    }

    /// The setup classifier: setup type and direction together (`breakout/up`, …).
    public static func setups(model: CLIPModel, tokenizer: CLIPTokenizer) throws -> ZeroShotClassifier {
        let matches = CaptionTemplates.setupMatches
        return try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: matches.map(\.description),
            prompts: matches.map { CaptionTemplates.prompts(for: $0) })
    }

    /// The setup-type classifier (the vocabulary's seven `setup_type`s, direction pooled).
    public static func setupTypes(model: CLIPModel, tokenizer: CLIPTokenizer) throws -> ZeroShotClassifier {
        try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: SetupType.allCases.map(\.rawValue),
            prompts: SetupType.allCases.map { CaptionTemplates.prompts(for: $0) })
    }

    /// The phase classifier.
    public static func phases(model: CLIPModel, tokenizer: CLIPTokenizer) throws -> ZeroShotClassifier {
        try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: PhaseType.allCases.map(\.rawValue),
            prompts: PhaseType.allCases.map { CaptionTemplates.prompts(for: $0) })
    }

    /// Class probabilities `[N][C]` for normalised image embeddings `[N][E]`.
    public func probabilities(_ images: [[Float]]) -> [[Float]] {
        let c = classes.count
        return images.map { image in
            var logits = (0..<c).map { k -> Float in
                var dot: Float = 0
                for j in 0..<width { dot += image[j] * embeddings[k * width + j] }
                return scale * dot
            }
            let m = logits.max() ?? 0
            var sum: Float = 0
            for k in 0..<c {
                logits[k] = Foundation.exp(logits[k] - m)
                sum += logits[k]
            }
            return logits.map { $0 / sum }
        }
    }

    /// The most probable class of each image.
    public func predict(_ images: [[Float]]) -> [Int] {
        probabilities(images).map { p in p.indices.max(by: { p[$0] < p[$1] }) ?? 0 }
    }
}
