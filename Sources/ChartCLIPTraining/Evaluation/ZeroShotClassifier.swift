import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Zero-shot classification with prompt ensembles (CLIP §3.1.4): each prototype row is the
/// re-normalised mean of the text embeddings of some prompts (the caption templates), and an
/// image is scored by cosine similarity times the model's logit scale.
///
/// A class may own several rows (`rowClasses`): its probability is then the sum of its rows'
/// probabilities under one softmax over all rows, each row's logit shifted by its log weight
/// within the class (weights summing to 1 per class, so a class with many rows is not
/// favoured for having them). `CaptionCellEmbeddings` uses that to give every (setup, phase)
/// cell its own row, so "no setup" is not one averaged point between the phases but a point
/// beside each phase's setups.
public struct ZeroShotClassifier: Sendable {
    /// Class names.
    public let classes: [String]
    /// `[R, E]` normalised prototype rows, row-major.
    public let embeddings: [Float]
    /// The class of each row (`R` entries; one row per class when built without it).
    public let rowClasses: [Int]
    /// Log weight of each row within its class (`R` entries; 0 for one row per class).
    public let rowLogWeights: [Float]
    /// E.
    public let width: Int
    /// exp(logit_scale) used as the softmax temperature's inverse.
    public let scale: Float

    /// A classifier from given prototype rows (e.g. an exported predictor's); `rowClasses`
    /// says which class each row belongs to, and defaults to one row per class, in order.
    public init(
        classes: [String], embeddings: [Float], width: Int, scale: Float, rowClasses: [Int]? = nil,
        rowLogWeights: [Float]? = nil
    ) {
        self.classes = classes
        self.embeddings = embeddings
        self.width = width
        self.scale = scale
        self.rowClasses = rowClasses ?? Array(0..<classes.count)
        self.rowLogWeights = rowLogWeights ?? [Float](repeating: 0, count: self.rowClasses.count)
    }

    /// `[N, R]` logits: scale × cosine similarity of each normalised image embedding with
    /// each prototype row.
    func logits(_ images: [[Float]]) -> Tensor {
        let x = Tensor(images.flatMap { $0 }, shape: [images.count, width])
        let w = Tensor(embeddings, shape: [rowClasses.count, width])
        return withoutGradients { Tensor.matmul(x, w, transposeB: true) * scale }
    }

    /// `[N, C]` class probabilities: one softmax over all rows (each logit shifted by its
    /// row's log weight), then each class's rows summed through the `[R, C]` membership
    /// matrix. With one row per class that matrix is the identity.
    func classProbabilities(_ images: [[Float]]) -> Tensor {
        var member = [Float](repeating: 0, count: rowClasses.count * classes.count)
        for (r, k) in rowClasses.enumerated() { member[r * classes.count + k] = 1 }
        let membership = Tensor(member, shape: [rowClasses.count, classes.count])
        let weights = Tensor(rowLogWeights, shape: [1, rowClasses.count])
        return withoutGradients { Tensor.matmul((logits(images) + weights).softmax(), membership) }
    }

    /// Class probabilities `[N][C]` for normalised image embeddings `[N][E]`.
    public func probabilities(_ images: [[Float]]) -> [[Float]] {
        images.isEmpty ? [] : classProbabilities(images).rowArrays
    }

    /// The most probable class of each image.
    public func predict(_ images: [[Float]]) -> [Int] {
        images.isEmpty ? [] : classProbabilities(images).argmax(alongAxis: 1)
    }

    /// The most probable class of each image when the classes' log prior probabilities
    /// (e.g. `LabelPrior.logFrequencies`) are added to the log probabilities: the zero-shot
    /// scores read as likelihoods, turned into a posterior under the training labels' class
    /// frequencies.
    public func predict(_ images: [[Float]], logPrior: [Float]) -> [Int] {
        guard !images.isEmpty else { return [] }
        let prior = Tensor(logPrior, shape: [1, classes.count])
        return withoutGradients { (classProbabilities(images) + 1e-30).log() + prior }.argmax(alongAxis: 1)
    }
}

/// The mean normalised text embedding of the captions of every (setup, phase) cell, computed
/// once per model: every prompt ensemble (setup, setup type, phase, with or without a prior)
/// is a weighted sum of these cells, so an evaluation embeds each caption once, not once per
/// classifier.
public struct CaptionCellEmbeddings: Sendable {
    /// `[E]` mean embedding of each cell's captions (not re-normalised).
    public let means: [LabelPrior.Cell: [Float]]
    /// E.
    public let width: Int
    /// The model's exp(logit_scale).
    public let scale: Float

    /// Embeds every caption of every cell with `model`'s text tower, `batchSize` texts at a time.
    public init(model: CLIPModel, tokenizer: CLIPTokenizer, batchSize: Int = 256) throws {
        let cells = LabelPrior.Cell.all
        let perCell = cells.map { CaptionTemplates.captions(setup: $0.match, phase: $0.phase) }
        let texts = perCell.flatMap { $0 }
        let context = model.config.textConfig.contextLength
        var features: [Float] = []
        var width = 0
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let tokens = try tokenizer.tokenize(Array(texts[start..<min(start + batchSize, texts.count)]), contextLength: context)
            let batch = withoutGradients { model.encodeText(tokens, normalized: true) }
            width = batch.shape[1]
            features += batch.scalars
        }
        var means: [LabelPrior.Cell: [Float]] = [:]
        var row = 0
        for (cell, captions) in zip(cells, perCell) {
            var mean = [Float](repeating: 0, count: width)
            for r in row..<(row + captions.count) {
                for j in 0..<width { mean[j] += features[r * width + j] }
            }
            means[cell] = mean.map { $0 / Float(captions.count) }
            row += captions.count
        }
        self.means = means
        self.width = width
        self.scale = Foundation.exp(model.logitScale.item)
    }

    /// How a class's cells become prototype rows.
    public enum Pooling: String, Codable, Sendable, CaseIterable {
        /// One row per class: the normalised sum of its cells, weighted by
        /// `LabelPrior.cellWeights` (a prompt ensemble over all of the class's captions).
        case ensemble
        /// One row per cell the prior has seen (every cell without a prior); a class's
        /// probability is the sum of its cells'. Classification into the (setup, phase) cells
        /// the model was trained to tell apart, then marginalised.
        case cells

        /// The default of every classifier built here, and so of evaluation, validation and
        /// export: `cells`, which scored higher than `ensemble` on four of the five checkpoints
        /// compared in notebooks-md/2026-11-21-reading-setups.md (up to 17 points of setup-type
        /// accuracy on the better-trained ones), chiefly by finding `none` charts.
        public static let standard = Pooling.cells

        /// What the pooling does, in the words of a report.
        public var summary: String {
            switch self {
            case .ensemble: "one prompt ensemble per class"
            case .cells: "one per (setup, phase) cell, probabilities summed per class"
            }
        }
    }

    /// A classifier whose class `k` is made of the cells in `cells[k]`, pooled by `pooling`.
    public func classifier(
        classes: [String], cells: [[LabelPrior.Cell]], prior: LabelPrior?, pooling: Pooling = .standard
    ) -> ZeroShotClassifier {
        var rows: [Float] = []
        var rowClasses: [Int] = []
        var rowLogWeights: [Float] = []
        for (k, classCells) in cells.enumerated() {
            let weighted = LabelPrior.cellWeights(prior, cells: classCells)
            let total = weighted.reduce(Float(0)) { $0 + $1.weight }
            let groups = pooling == .ensemble ? [weighted] : weighted.map { [$0] }
            for group in groups {
                let share = group.reduce(Float(0)) { $0 + $1.weight } / Swift.max(total, 1e-12)
                rowLogWeights.append(Foundation.log(Swift.max(share, 1e-12)))
                var sum = [Float](repeating: 0, count: width)
                for (cell, weight) in group {
                    guard let mean = means[cell] else { continue }
                    for j in 0..<width { sum[j] += weight * mean[j] }
                }
                let norm = max(sum.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                rows += sum.map { $0 / norm }
                rowClasses.append(k)
            }
        }
        return ZeroShotClassifier(
            classes: classes, embeddings: rows, width: width, scale: scale, rowClasses: rowClasses,
            rowLogWeights: rowLogWeights)
    }

    /// The setup classifier: setup type and direction together (`breakout/up`, …). With a
    /// `prior`, each class's phases count by how often they occur with it in the training
    /// labels; without, every phase counts the same.
    public func setups(prior: LabelPrior?, pooling: Pooling = .standard) -> ZeroShotClassifier {
        let matches = CaptionTemplates.setupMatches
        return classifier(
            classes: matches.map(\.description),
            cells: matches.map { m in PhaseType.allCases.map { LabelPrior.Cell(match: m, phase: $0) } }, prior: prior,
            pooling: pooling)
    }

    /// The setup-type classifier (the vocabulary's seven `setup_type`s, direction pooled).
    public func setupTypes(prior: LabelPrior?, pooling: Pooling = .standard) -> ZeroShotClassifier {
        classifier(
            classes: SetupType.allCases.map(\.rawValue),
            cells: SetupType.allCases.map { type in LabelPrior.Cell.all.filter { $0.match.type == type } }, prior: prior,
            pooling: pooling)
    }

    /// The phase classifier.
    public func phases(prior: LabelPrior?, pooling: Pooling = .standard) -> ZeroShotClassifier {
        classifier(
            classes: PhaseType.allCases.map(\.rawValue),
            cells: PhaseType.allCases.map { phase in LabelPrior.Cell.all.filter { $0.phase == phase } }, prior: prior,
            pooling: pooling)
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
    /// One (setup and direction, phase) combination: the unit captions are written for.
    public struct Cell: Hashable, Sendable {
        public var match: SetupMatch
        public var phase: PhaseType

        /// A cell.
        public init(match: SetupMatch, phase: PhaseType) {
            self.match = match
            self.phase = phase
        }

        /// Every cell of the label space, setups outer, phases inner.
        public static let all: [Cell] = CaptionTemplates.setupMatches.flatMap { m in PhaseType.allCases.map { Cell(match: m, phase: $0) } }
    }

    /// Labels per cell.
    public private(set) var counts: [Cell: Int] = [:]

    /// Counts the labels.
    public init(labels: [ChartLabel]) {
        for label in labels { counts[Cell(match: label.match, phase: label.phaseType), default: 0] += 1 }
    }

    /// The count of a cell.
    public func count(_ match: SetupMatch, _ phase: PhaseType) -> Int { counts[Cell(match: match, phase: phase)] ?? 0 }

    /// Log relative frequencies of `classes`, each label counted for the class `name` gives it,
    /// with add-one smoothing so that an unseen class is unlikely, not impossible.
    public func logFrequencies(of classes: [String], name: (SetupMatch, PhaseType) -> String) -> [Float] {
        var perClass = [Int](repeating: 1, count: classes.count)
        for (cell, count) in counts {
            if let k = classes.firstIndex(of: name(cell.match, cell.phase)) { perClass[k] += count }
        }
        let total = Float(perClass.reduce(0, +))
        return perClass.map { Foundation.log(Float($0) / total) }
    }

    /// `logFrequencies` of setup types (`classes` are `SetupType` raw values, as in
    /// `CaptionCellEmbeddings.setupTypes`): the prior of the "setup type with the training
    /// prior" readout.
    public func logSetupTypeFrequencies(of classes: [String]) -> [Float] {
        logFrequencies(of: classes) { match, _ in match.type.rawValue }
    }

    /// The weight of each of `cells` in a class's ensemble: its count under `prior`. Cells the
    /// prior never saw get none; when none of the cells was seen (or there is no prior), every
    /// cell counts the same.
    public static func cellWeights(_ prior: LabelPrior?, cells: [Cell]) -> [(cell: Cell, weight: Float)] {
        let counts = cells.map { prior?.counts[$0] ?? 0 }
        guard counts.contains(where: { $0 > 0 }) else { return cells.map { ($0, 1) } }
        return zip(cells, counts).filter { $0.1 > 0 }.map { ($0.0, Float($0.1)) }
    }
}
