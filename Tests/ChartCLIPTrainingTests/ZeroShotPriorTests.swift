import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPText
import ChartCLIPTraining
import Foundation
import Testing

/// Prompt ensembles weighted by the training labels: unseen (setup, phase) cells drop out,
/// seen ones count by frequency, and the class embedding is that weighted mean of the
/// cells' caption embeddings.
@Suite struct ZeroShotPriorTests {
    static let config = CLIPConfig(
        embedDim: 8,
        visionConfig: VisionConfig(imageSize: 16, patchSize: 8, width: 8, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 32, vocabSize: 1024, width: 8, layers: 1, heads: 2),
        activation: .quickGELU)

    static func label(_ type: SetupType, _ direction: SetupDirection, _ phase: PhaseType) -> ChartLabel {
        ChartLabel(setupType: type, setupDirection: direction, phaseType: phase, confidence: 0.9)
    }

    @Test func cellsAreWeightedByTheirCounts() {
        let prior = LabelPrior(labels: [
            Self.label(.none, .none, .trendUp), Self.label(.none, .none, .trendUp), Self.label(.none, .none, .trendUp),
            Self.label(.none, .none, .range), Self.label(.breakout, .up, .trendUp),
        ])
        #expect(prior.count(.none, .trendUp) == 3 && prior.count(.none, .range) == 1 && prior.count(.none, .trendDown) == 0)
        let cells = PhaseType.allCases.map { LabelPrior.Cell(match: .none, phase: $0) }
        let weights = LabelPrior.cellWeights(prior, cells: cells)
        // Only the two seen cells, weights 3 and 1.
        #expect(weights.count == 2)
        for (cell, weight) in weights { #expect(weight == (cell.phase == .trendUp ? 3 : 1)) }
        #expect(!weights.contains { $0.cell.phase == .exhaustionPullback })
    }

    @Test func withoutAPriorOrUnseenClassesEveryCellCountsTheSame() {
        let prior = LabelPrior(labels: [Self.label(.none, .none, .range)])
        let cells = PhaseType.allCases.map { LabelPrior.Cell(match: SetupMatch(.fakeout, .down), phase: $0) }
        for p in [nil, prior] {
            let weights = LabelPrior.cellWeights(p, cells: cells)
            #expect(weights.map(\.cell) == cells)
            #expect(Set(weights.map(\.weight)) == [1])
        }
    }

    @Test func classEmbeddingIsTheWeightedMeanOfCaptionEmbeddings() throws {
        let model = CLIPModel(config: Self.config, seed: 5)
        let tokenizer = try CLIPTokenizer()
        let prior = LabelPrior(labels: [
            Self.label(.rangeAccumulation, .none, .range), Self.label(.rangeAccumulation, .none, .range), Self.label(.rangeAccumulation, .none, .trendUp),
        ])
        let captions = try CaptionCellEmbeddings(model: model, tokenizer: tokenizer)
        let classifier = captions.setupTypes(prior: prior, pooling: .ensemble)
        let k = classifier.classes.firstIndex(of: SetupType.rangeAccumulation.rawValue)!
        let got = Array(classifier.embeddings[(k * 8)..<(k * 8 + 8)])

        func meanEmbedding(_ phase: PhaseType) throws -> [Float] {
            let texts = CaptionTemplates.captions(setup: SetupMatch(.rangeAccumulation, .none), phase: phase)
            let tokens = try tokenizer.tokenize(texts, contextLength: 32)
            let e = withoutGradients { model.encodeText(tokens, normalized: true) }
            return (0..<8).map { j in (0..<texts.count).reduce(Float(0)) { $0 + e.scalars[$1 * 8 + j] } / Float(texts.count) }
        }
        let range = try meanEmbedding(.range), trend = try meanEmbedding(.trendUp)
        var expected = (0..<8).map { 2 * range[$0] + trend[$0] }
        let norm = expected.reduce(0) { $0 + $1 * $1 }.squareRoot()
        expected = expected.map { $0 / norm }
        for j in 0..<8 { #expect(abs(got[j] - expected[j]) < 1e-5) }
        // The uniform ensemble is a different direction here.
        let uniform = captions.setupTypes(prior: nil, pooling: .ensemble)
        let u = Array(uniform.embeddings[(k * 8)..<(k * 8 + 8)])
        #expect(zip(u, got).map { abs($0 - $1) }.max()! > 1e-3)
    }

    @Test func logPriorShiftsCloseCallsTowardsFrequentClasses() {
        let prior = LabelPrior(labels: Array(repeating: Self.label(.none, .none, .trendUp), count: 8) + [Self.label(.breakout, .up, .trendUp)])
        let classes = ["breakout", "none"]
        let log = prior.logFrequencies(of: classes) { match, _ in match.type.rawValue }
        // Add-one smoothing: (1 + 1) / 11 and (8 + 1) / 11.
        #expect(abs(log[0] - Foundation.log(Float(2) / 11)) < 1e-6 && abs(log[1] - Foundation.log(Float(9) / 11)) < 1e-6)
        let classifier = ZeroShotClassifier(classes: classes, embeddings: [1, 0, 0, 1], width: 2, scale: 10)
        // Cosine 0.6 against 0.5: plain zero-shot says breakout; a 4.5:1 prior outweighs e^1.
        let image: [Float] = [0.6, 0.5]
        #expect(classifier.predict([image]) == [0])
        #expect(classifier.predict([image], logPrior: log) == [1])
        // A clear call survives the prior.
        #expect(classifier.predict([[0.9, 0.1]], logPrior: log) == [0])
    }

    /// Cell pooling: a class owning two cells gets the sum of their probabilities, each cell's
    /// logit shifted by its log share of the class, so a class is not favoured for owning more
    /// cells. "none" has two orthogonal cells, one of them exactly the image; "breakout" lies
    /// between the image and the other. The one-row ensemble of the two "none" cells (their
    /// normalised mean, cosine 0.707 with the image) loses to breakout (cosine 0.8); with a row
    /// per cell, the cell that matches the image wins.
    @Test func cellPoolingSumsCellProbabilitiesWithinAClass() {
        let s = Float(0.5).squareRoot()
        // Rows: breakout, none in one phase, none in another.
        let classifier = ZeroShotClassifier(
            classes: ["breakout", "none"], embeddings: [0.8, 0, 0.6, 1, 0, 0, 0, 1, 0], width: 3, scale: 10,
            rowClasses: [0, 1, 1], rowLogWeights: [0, Foundation.log(0.5), Foundation.log(0.5)])
        let image: [Float] = [1, 0, 0]
        let logits: [Float] = [8, 10, 0]
        let shifted = zip(logits, classifier.rowLogWeights).map { Foundation.exp($0 + $1) }
        let total = shifted.reduce(0, +)
        let p = classifier.probabilities([image])[0]
        #expect(abs(p[0] - shifted[0] / total) < 1e-5)
        #expect(abs(p[1] - (shifted[1] + shifted[2]) / total) < 1e-5)
        #expect(classifier.predict([image]) == [1])
        let ensemble = ZeroShotClassifier(classes: ["breakout", "none"], embeddings: [0.8, 0, 0.6, s, s, 0], width: 3, scale: 10)
        #expect(ensemble.predict([image]) == [0])
    }
}
