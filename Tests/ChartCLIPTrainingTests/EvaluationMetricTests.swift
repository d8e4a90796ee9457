import ChartCLIPTraining
import Testing

/// Evaluation arithmetic on hand-made examples.
@Suite struct EvaluationMetricTests {
    @Test func accuracyBalancedAccuracyAndConfusion() {
        let m = ClassificationMetrics(classes: ["a", "b", "c"], truth: [0, 0, 0, 0, 1, 1], predicted: [0, 0, 0, 1, 1, 0])
        #expect(m.accuracy == 4.0 / 6.0)
        #expect(m.confusion == [[3, 1, 0], [1, 1, 0], [0, 0, 0]])
        #expect(m.balancedAccuracy == (0.75 + 0.5) / 2)
        #expect(m.recall[2] == nil)
    }

    @Test func expectedCalibrationError() {
        // Two bins: confidence 0.95 with 100% accuracy, 0.55 with 50%.
        let c = Calibration(confidence: [0.95, 0.95, 0.55, 0.55], correct: [true, true, true, false])
        #expect(abs(c.expectedCalibrationError - (0.5 * 0.05 + 0.5 * 0.05)) < 1e-9)
        #expect(c.bins[9].count == 2 && c.bins[5].count == 2)
    }

    @Test func classAwareRetrieval() {
        let images: [[Float]] = [[1, 0], [0, 1], [0.7, 0.7]]
        let texts: [[Float]] = [[0, 1], [1, 0], [0.6, 0.8]]
        // Image 0's nearest text is text 1, of the same class "x": a hit at 1 though not its own pair.
        let same = RetrievalMetrics(images: images, texts: texts, classes: ["x", "x", "y"], ks: [1, 2])
        #expect(same.imageToText["R@1"] == 1)
        // With classes x, y, x: image 0 (x) ranks texts 1 (y), 2 (x), 0; image 1 (y) ranks
        // 0 (x), 2 (x); image 2 (x) finds text 2 (x) first.
        let r = RetrievalMetrics(images: images, texts: texts, classes: ["x", "y", "x"], ks: [1, 2])
        #expect(r.imageToText["R@1"] == 1.0 / 3.0)
        #expect(r.imageToText["R@2"] == 2.0 / 3.0)
    }

    /// The ranking without sorting gives what sorting every query's keys gives, ties
    /// included (scores on a coarse grid make many).
    @Test func retrievalMatchesSortedRanking() {
        var state: UInt64 = 7
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 61)) / 4 - 0.5  // eight levels: ties are common
        }
        let images = (0..<300).map { _ in (0..<3).map { _ in next() } }
        let texts = (0..<300).map { _ in (0..<3).map { _ in next() } }
        let classes = (0..<300).map { "c\($0 % 7)" }
        // Each query's rank of its first same-class key, by sorting all keys.
        func ranks(queries: [[Float]], keys: [[Float]]) -> [Int] {
            queries.indices.map { q in
                let scores = keys.map { key in zip(queries[q], key).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
                let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                return order.firstIndex { classes[$0] == classes[q] }!
            }
        }
        let r = RetrievalMetrics(images: images, texts: texts, classes: classes)
        let imageRanks = ranks(queries: images, keys: texts), textRanks = ranks(queries: texts, keys: images)
        for k in [1, 5, 10] {
            #expect(r.imageToText["R@\(k)"] == Double(imageRanks.filter { $0 < k }.count) / 300)
            #expect(r.textToImage["R@\(k)"] == Double(textRanks.filter { $0 < k }.count) / 300)
        }
        #expect(r.imageToText["R@1"]! < r.imageToText["R@10"]!)
    }

    @Test func linearProbeSeparatesSeparableClasses() {
        let train: [[Float]] = (0..<40).map { i in i < 20 ? [1, Float(i % 5) * 0.01] : [-1, Float(i % 5) * 0.01] }
        let labels = (0..<40).map { $0 < 20 ? 0 : 1 }
        let (probe, scores) = LinearProbe.select(
            train: train, trainLabels: labels, validation: [[0.9, 0], [-0.8, 0.02]], validationLabels: [0, 1], classCount: 2)
        #expect(probe.predict([[0.5, 0], [-0.5, 0]]) == [0, 1])
        #expect(scores.values.max() == 1)
    }
}
