@testable import ChartCLIPTraining
import Testing

/// Pieces of the evaluation report.
@Suite struct ReportWriterTests {
    @Test func theLossCurvesTrendIsATrailingMean() {
        let y: [Double] = [4, 2, 6, 0, 3, 3]
        #expect(ReportWriter.trailingMean(y, window: 3) == [4, 3, 4, 8.0 / 3, 3, 2])
        #expect(ReportWriter.trailingMean(y, window: 1) == y)
        #expect(ReportWriter.trailingMean([], window: 5).isEmpty)
    }
}
