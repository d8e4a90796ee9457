import ChartCLIPTestSupport
import ChartCLIPTraining
import Foundation
import Testing

/// The expected calibration error on a fixed set of 200 predictions, against numpy's
/// computation of the textbook definition (`Tests/Fixtures/golden/make_stats_golden.py`).
@Suite struct CalibrationErrorTests {
    @Test func expectedCalibrationErrorMatchesTheReference() throws {
        let golden = try GoldenFile("golden/stats.json")
        let ece = try #require(golden["ece"] as? [String: Any])
        let confidence = try #require(ece["confidence"] as? [Double])
        let correct = try #require(ece["correct"] as? [Int]).map { $0 == 1 }
        let bins = try #require(ece["bins"] as? Int), value = try #require(ece["value"] as? Double)
        let calibration = Calibration(confidence: confidence, correct: correct, binCount: bins)
        #expect(abs(calibration.expectedCalibrationError - value) < 1e-12, "\(calibration.expectedCalibrationError) vs \(value)")
        #expect(calibration.bins.map(\.count).reduce(0, +) == 200)
    }
}
