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
        try self.init(model: model, tokenizer: tokenizer, classes: classes, weightedPrompts: prompts.map { texts in texts.map { ($0, 1) } })
    }

    /// Embeds every class's prompts with `model` and takes their weighted mean (weights need
    /// not sum to one; the mean is re-normalised).
    public init(model: CLIPModel, tokenizer: CLIPTokenizer, classes: [String], weightedPrompts: [[(text: String, weight: Float)]]) throws {
        let t = model.config.textConfig.contextLength
        var rows: [Float] = []
        var width = 0
        for prompts in weightedPrompts {
            let tokens = try tokenizer.tokenize(prompts.map(\.text), contextLength: t)
            let features = withoutGradients { model.encodeText(tokens, normalized: true) }
            width = features.shape[1]
            let weights = Tensor(prompts.map(\.weight), shape: [1, prompts.count])
            let mean = withoutGradients { Tensor.matmul(weights, features).l2Normalized() }
            rows += mean.scalars
        }
        self.init(classes: classes, embeddings: rows, width: width, scale: Foundation.exp(model.logitScale.item))
    }

    /// The setup classifier: setup type and direction together (`breakout/up`, …). With a
    /// `prior`, each class's captions are weighted by how often its phases occur with it in the
    /// training labels; without, every phase counts the same.
    public static func setups(model: CLIPModel, tokenizer: CLIPTokenizer, prior: LabelPrior? = nil) throws -> ZeroShotClassifier {
        let matches = CaptionTemplates.setupMatches
        return try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: matches.map(\.description),
            weightedPrompts: matches.map { match in LabelPrior.ensemble(prior, matches: [match], phases: PhaseType.allCases) })
    }

    /// The setup-type classifier (the vocabulary's seven `setup_type`s, direction pooled).
    public static func setupTypes(model: CLIPModel, tokenizer: CLIPTokenizer, prior: LabelPrior? = nil) throws -> ZeroShotClassifier {
        try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: SetupType.allCases.map(\.rawValue),
            weightedPrompts: SetupType.allCases.map { type in
                LabelPrior.ensemble(prior, matches: CaptionTemplates.setupMatches.filter { $0.type == type }, phases: PhaseType.allCases)
            })
    }

    /// The phase classifier.
    public static func phases(model: CLIPModel, tokenizer: CLIPTokenizer, prior: LabelPrior? = nil) throws -> ZeroShotClassifier {
        try ZeroShotClassifier(
            model: model, tokenizer: tokenizer, classes: PhaseType.allCases.map(\.rawValue),
            weightedPrompts: PhaseType.allCases.map { phase in
                LabelPrior.ensemble(prior, matches: CaptionTemplates.setupMatches, phases: [phase])
            })
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

    /// The most probable class of each image when the classes' log prior probabilities
    /// (e.g. `LabelPrior.logFrequencies`) are added to the logits: the zero-shot scores read
    /// as likelihoods, turned into a posterior under the training labels' class frequencies.
    public func predict(_ images: [[Float]], logPrior: [Float]) -> [Int] {
        probabilities(images).map { p in
            let posterior = p.indices.map { Foundation.log(max(p[$0], 1e-30)) + logPrior[$0] }
            return posterior.indices.max(by: { posterior[$0] < posterior[$1] }) ?? 0
        }
    }
}

/// How often each setup (with direction) occurs with each phase in a set of labels, usually
/// the training split's.
///
/// A class's prompt ensemble marginalises the other field out. Uniformly, "no setup" would
/// count "no setup in exhaustion pullback phase" as much as "no setup in uptrend phase" even
/// when the first never occurs, and its class embedding would drift towards captions the
/// model never learned to match to charts. Weighting each (setup, phase) cell's captions by
/// its count marginalises by the data instead, the way a classifier's class embedding is the
/// mean over the class's training texts.
public struct LabelPrior: Sendable, Equatable {
    /// Counts per `"setup/direction phase"` cell.
    public private(set) var counts: [String: Int] = [:]

    /// Counts the labels.
    public init(labels: [ChartLabel]) {
        for label in labels { counts[Self.key(label.match, label.phaseType), default: 0] += 1 }
    }

    /// Log relative frequencies of `classes`, each label counted for the class `name` gives it,
    /// with add-one smoothing so that an unseen class is unlikely, not impossible.
    public func logFrequencies(of classes: [String], name: (SetupMatch, PhaseType) -> String) -> [Float] {
        var perClass = [Int](repeating: 1, count: classes.count)
        for (key, count) in counts {
            guard let (match, phase) = Self.cell(key), let k = classes.firstIndex(of: name(match, phase)) else { continue }
            perClass[k] += count
        }
        let total = Float(perClass.reduce(0, +))
        return perClass.map { Foundation.log(Float($0) / total) }
    }

    static func cell(_ key: String) -> (SetupMatch, PhaseType)? {
        CaptionTemplates.setupMatches.lazy.flatMap { m in PhaseType.allCases.map { (m, $0) } }.first { key == Self.key($0.0, $0.1) }
    }

    /// The count of a cell.
    public func count(_ match: SetupMatch, _ phase: PhaseType) -> Int { counts[Self.key(match, phase)] ?? 0 }

    static func key(_ match: SetupMatch, _ phase: PhaseType) -> String { "\(match) \(phase.rawValue)" }

    /// The captions of every (match, phase) cell, each cell weighted by its share of the prior
    /// (spread over its captions). Cells the prior never saw get no weight; when none of the
    /// cells was seen (or there is no prior), every cell counts the same.
    public static func ensemble(_ prior: LabelPrior?, matches: [SetupMatch], phases: [PhaseType]) -> [(text: String, weight: Float)] {
        let cells = matches.flatMap { m in phases.map { (m, $0) } }
        let counts = cells.map { prior?.count($0.0, $0.1) ?? 0 }
        let seen = counts.reduce(0, +) > 0
        var prompts: [(text: String, weight: Float)] = []
        for (cell, count) in zip(cells, counts) where !seen || count > 0 {
            let captions = CaptionTemplates.captions(setup: cell.0, phase: cell.1)
            let weight = Float(seen ? count : 1) / Float(captions.count)
            prompts += captions.map { ($0, weight) }
        }
        return prompts
    }
}
