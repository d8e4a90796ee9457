import Foundation

/// Per-class confidence calibration: the model's top-class probability p becomes
/// σ(a · logit(p) + b) with one (a, b) per class (Platt scaling, fitted by logistic
/// regression). The identity is a = 1, b = 0.
public struct ConfidenceCalibration: Codable, Equatable, Sendable {
    /// Slope per class.
    public var slopes: [Double]
    /// Intercept per class.
    public var intercepts: [Double]
    /// Examples each class was fitted on (0: identity).
    public var counts: [Int]

    /// The identity calibration for `classCount` classes.
    public static func identity(classCount: Int) -> ConfidenceCalibration {
        ConfidenceCalibration(
            slopes: [Double](repeating: 1, count: classCount), intercepts: [Double](repeating: 0, count: classCount),
            counts: [Int](repeating: 0, count: classCount))
    }

    /// The calibrated confidence of class `c` given the raw probability `p`.
    public func apply(_ p: Double, classIndex c: Int) -> Double {
        let clipped = min(max(p, 1e-6), 1 - 1e-6)
        let z = slopes[c] * Foundation.log(clipped / (1 - clipped)) + intercepts[c]
        return 1 / (1 + Foundation.exp(-z))
    }

    /// Fits (a, b) of one class on raw probabilities and outcomes (1 = the call was right),
    /// by Newton's method on the logistic log-likelihood with a weak pull towards the identity
    /// (so a handful of examples cannot produce extreme slopes). Needs `minimumCount`
    /// examples, else returns the identity.
    public static func fit(probabilities: [Double], outcomes: [Bool], minimumCount: Int = 10) -> (slope: Double, intercept: Double) {
        guard probabilities.count >= minimumCount else { return (1, 0) }
        let x = probabilities.map { p -> Double in
            let c = min(max(p, 1e-6), 1 - 1e-6)
            return Foundation.log(c / (1 - c))
        }
        let y = outcomes.map { $0 ? 1.0 : 0.0 }
        var a = 1.0, b = 0.0
        let prior = 1.0  // strength of the pull towards (1, 0)
        for _ in 0..<50 {
            var ga = prior * (a - 1), gb = prior * b
            var haa = prior, hab = 0.0, hbb = prior
            for (xi, yi) in zip(x, y) {
                let p = 1 / (1 + Foundation.exp(-(a * xi + b)))
                let r = p - yi, w = p * (1 - p)
                ga += r * xi
                gb += r
                haa += w * xi * xi
                hab += w * xi
                hbb += w
            }
            let det = haa * hbb - hab * hab
            guard abs(det) > 1e-12 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            a -= da
            b -= db
            if abs(da) + abs(db) < 1e-9 { break }
        }
        return (a, b)
    }
}
