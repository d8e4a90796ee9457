/// Accuracy, balanced accuracy and the confusion matrix of a classification.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    /// Class names, index order.
    public var classes: [String]
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]
    /// Fraction of correct predictions.
    public var accuracy: Double
    /// Mean recall over the classes that occur (balanced accuracy).
    public var balancedAccuracy: Double
    /// Recall of each class (`nil` where the class does not occur).
    public var recall: [Double?]
    /// Number of examples.
    public var count: Int

    /// Metrics of `predicted` against `truth` (class indices).
    public init(classes: [String], truth: [Int], predicted: [Int]) {
        self.classes = classes
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(truth, predicted) { matrix[t][p] += 1 }
        confusion = matrix
        count = truth.count
        let correct = zip(truth, predicted).filter { $0 == $1 }.count
        accuracy = truth.isEmpty ? 0 : Double(correct) / Double(truth.count)
        recall = matrix.enumerated().map { i, row in
            let total = row.reduce(0, +)
            return total == 0 ? nil : Double(row[i]) / Double(total)
        }
        let present = recall.compactMap { $0 }
        balancedAccuracy = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
    }
}

/// Expected calibration error over equal-width confidence bins.
public struct Calibration: Codable, Equatable, Sendable {
    /// Per bin: lower edge, upper edge, mean confidence, accuracy, count.
    public struct Bin: Codable, Equatable, Sendable {
        public var lower: Double, upper: Double, confidence: Double, accuracy: Double, count: Int
    }
    /// The bins.
    public var bins: [Bin]
    /// Σ (n_b / N) · |accuracy_b − confidence_b|.
    public var expectedCalibrationError: Double

    /// Calibration of predictions with `confidence` (the top probability) and `correct`.
    public init(confidence: [Double], correct: [Bool], binCount: Int = 10) {
        var sums = [(Double, Int, Int)](repeating: (0, 0, 0), count: binCount)
        for (raw, ok) in zip(confidence, correct) {
            let c = raw.isFinite ? min(1, max(0, raw)) : 0  // a NaN confidence is no confidence
            let b = min(binCount - 1, Int(c * Double(binCount)))
            sums[b].0 += c
            sums[b].1 += ok ? 1 : 0
            sums[b].2 += 1
        }
        let total = Double(max(confidence.count, 1))
        bins = sums.enumerated().map { i, s in
            Bin(
                lower: Double(i) / Double(binCount), upper: Double(i + 1) / Double(binCount),
                confidence: s.2 == 0 ? 0 : s.0 / Double(s.2), accuracy: s.2 == 0 ? 0 : Double(s.1) / Double(s.2), count: s.2)
        }
        expectedCalibrationError = bins.reduce(0) { $0 + Double($1.count) / total * abs($1.accuracy - $1.confidence) }
    }
}
