import ChartCLIPSupport

/// One confidence bin of a reliability diagram.
public struct ReliabilityBin: Equatable, Sendable {
    /// Lower edge of the bin's confidence interval.
    public var lower: Double
    /// Upper edge of the bin's confidence interval.
    public var upper: Double
    /// Mean confidence of the predictions in the bin (0 when empty).
    public var confidence: Double
    /// Share of correct predictions in the bin (0 when empty).
    public var accuracy: Double
    /// Number of predictions in the bin.
    public var count: Int

    /// Creates a bin.
    public init(lower: Double, upper: Double, confidence: Double, accuracy: Double, count: Int) {
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
        self.accuracy = accuracy
        self.count = count
    }
}

/// A reliability diagram: per confidence bin, a bar of the accuracy next to the diagonal
/// of perfect calibration, with the gap to the bin's mean confidence shaded (Guo et al.,
/// "On Calibration of Modern Neural Networks", 2017).
public struct ReliabilityDiagram: Equatable, Sendable {
    /// Title above the plot (add the ECE here if wanted).
    public var title: String
    /// The bins, lowest confidence first.
    public var bins: [ReliabilityBin]

    /// Creates a diagram from bins (see `bins(confidences:correct:count:)`).
    public init(title: String, bins: [ReliabilityBin]) {
        self.title = title
        self.bins = bins
    }

    /// Equal-width bins over [0, 1]: bin `k` holds confidences in `(k/n, (k+1)/n]` (the
    /// first also holds 0). Throws when the arrays differ in length.
    public static func bins(confidences: [Double], correct: [Bool], count n: Int = 10) throws -> [ReliabilityBin] {
        guard confidences.count == correct.count, n >= 1 else {
            throw ChartCLIPError(
                "reliability bins need one correctness flag per confidence and at least one bin, got \(confidences.count) confidences, \(correct.count) flags, \(n) bins")
        }
        var sums = [Double](repeating: 0, count: n), hits = [Int](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: n)
        for (p, ok) in zip(confidences, correct) where p.isFinite {
            let k = min(max(Int((p * Double(n)).rounded(.up)) - 1, 0), n - 1)
            sums[k] += p
            counts[k] += 1
            if ok { hits[k] += 1 }
        }
        return (0..<n).map { k in
            let m = counts[k]
            return ReliabilityBin(
                lower: Double(k) / Double(n), upper: Double(k + 1) / Double(n),
                confidence: m > 0 ? sums[k] / Double(m) : 0, accuracy: m > 0 ? Double(hits[k]) / Double(m) : 0,
                count: m)
        }
    }

    /// Expected calibration error: Σ (count/N) · |accuracy − confidence| over the bins.
    public static func expectedCalibrationError(_ bins: [ReliabilityBin]) -> Double {
        let total = bins.reduce(0) { $0 + $1.count }
        guard total > 0 else { return 0 }
        return bins.reduce(0) { $0 + Double($1.count) / Double(total) * abs($1.accuracy - $1.confidence) }
    }

    /// The diagram as a `width`×`height` image.
    public func render(width: Int = 600, height: Int = 600) -> RasterImage {
        var image = RasterImage(width: width, height: height)
        let axes = PlotAxes(
            imageWidth: width, imageHeight: height, xRange: 0...1, yRange: 0...1, fontScale: width >= 900 ? 2 : 1)
        axes.draw(into: &image, title: title, xLabel: "confidence", yLabel: "accuracy")
        let bar = RGBColor(hex: 0x1F77B4), gap = RGBColor(hex: 0xD62728)
        let base = axes.point(x: 0, y: 0).y
        for b in bins where b.count > 0 {
            let x0 = Int(axes.point(x: b.lower, y: 0).x) + 1
            let x1 = Int(axes.point(x: b.upper, y: 0).x) - 1
            let accuracyY = Int(axes.point(x: 0, y: b.accuracy).y)
            let confidenceY = Int(axes.point(x: 0, y: b.confidence).y)
            image.fillRect(x: x0, y: accuracyY, width: x1 - x0 + 1, height: Int(base) - accuracyY, color: bar)
            // The gap between accuracy and mean confidence, translucent red.
            let top = min(accuracyY, confidenceY), bottom = max(accuracyY, confidenceY)
            image.blendRect(x: x0, y: top, width: x1 - x0 + 1, height: bottom - top + 1, color: gap, alpha: 0.35)
            image.strokeRect(x: x0, y: accuracyY, width: x1 - x0 + 1, height: Int(base) - accuracyY, color: .darkGray)
        }
        image.drawPolyline(
            [axes.point(x: 0, y: 0), axes.point(x: 1, y: 1)], color: RGBColor(hex: 0x7F7F7F), lineWidth: 1.5)
        return image
    }
}
