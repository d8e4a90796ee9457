import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip decide` and `chartclip feedback` end to end. Skipped (with a message) when the
/// binary has not been built next to the test bundle.
@Suite struct DecisionCommandLineTests {
    static var binary: URL? { CommandLineTool.binary }

    static func run(_ binary: URL, _ arguments: [String]) throws -> (status: Int32, output: Data, errors: String) {
        try CommandLineTool.run(binary, arguments)
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func decidePrintsTheAdjustedDecisionAsJSON() throws {
        let binary = try #require(Self.binary)
        let folder = try TestMarket.folder("cli-decide")
        defer { try? FileManager.default.removeItem(at: folder) }
        let candles = folder.appendingPathComponent("BTCUSDT_15m.csv")
        try CandleCSV.write(TestMarket.wavy(120, drift: 0.001), to: candles)
        let predictions = folder.appendingPathComponent("cv_predictions")
        let name = CVPredictionFiles.fileName(symbol: "BTCUSDT", timestamp: TestMarket.close(119))
        try TestMarket.write(#"{"setup": "breakout", "confidence": 0.81}"#, name, in: predictions)
        let result = try Self.run(binary, ["decide", "--candles", candles.path, "--predictions", predictions.path])
        #expect(result.status == 0, "\(result.errors)")
        let decision = try JSONDecoder().decode(TraderDecision.self, from: result.output)
        #expect(decision.symbol == "BTCUSDT" && decision.cvAdjustment == 0.1)
        #expect(decision.reasons.last == "CV Model: breakout with high confidence")
        // A missing folder is a reason, not a failure.
        let missing = try Self.run(binary, ["decide", "--candles", candles.path, "--predictions", folder.appendingPathComponent("none").path])
        #expect(missing.status == 0, "\(missing.errors)")
        #expect(try JSONDecoder().decode(TraderDecision.self, from: missing.output).predictionStatus == .missing)
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func feedbackLogsOnceAndSummarises() throws {
        let binary = try #require(Self.binary)
        let folder = try TestMarket.folder("cli-feedback")
        defer { try? FileManager.default.removeItem(at: folder) }
        let candles = folder.appendingPathComponent("BTCUSDT_15m.csv")
        try CandleCSV.write(BaseRateTests.series, to: candles)
        let predictions = folder.appendingPathComponent("cv_predictions")
        for p in FeedbackLoopTests.predictions where p.symbol == "BTCUSDT" {
            try CVPredictionFiles.write(p, to: [predictions])
        }
        let logs = folder.appendingPathComponent("logs")
        let arguments = [
            "feedback", "--predictions", predictions.path, "--candles", candles.path, "--horizons", "30m",
            "--logs", logs.path, "--base-rate-days", "0",
        ]
        let first = try Self.run(binary, arguments)
        #expect(first.status == 0, "\(first.errors)")
        #expect(String(decoding: first.output, as: UTF8.self).contains("wrote 3 line(s), 0 already logged, 1 waiting"))
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
        let before = try files.map { try Data(contentsOf: logs.appendingPathComponent($0)) }
        let second = try Self.run(binary, arguments)
        #expect(String(decoding: second.output, as: UTF8.self).contains("wrote 0 line(s), 3 already logged"))
        #expect(try files.map { try Data(contentsOf: logs.appendingPathComponent($0)) } == before)
        let summary = try Self.run(binary, ["feedback", "--summary", "--json", "--logs", logs.path])
        #expect(summary.status == 0, "\(summary.errors)")
        let parsed = try JSONDecoder().decode(FeedbackSummary.self, from: summary.output)
        let breakout = try #require(parsed.rows.first { $0.setup == "breakout" })
        #expect(breakout.hitRate == 1 && breakout.baseRate == 0.5 && breakout.count == 1)
        // Neither --candles nor --summary: a usage error.
        #expect(try Self.run(binary, ["feedback"]).status != 0)
    }

    /// Barriers no trade can have are refused, naming the flag, and nothing is written
    /// (`--stop 0` used to exit 0 having logged nothing).
    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first"))
    func feedbackRefusesBarriersOutOfRange() throws {
        let binary = try #require(Self.binary)
        let folder = try TestMarket.folder("cli-feedback-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let candles = folder.appendingPathComponent("BTCUSDT_15m.csv")
        try CandleCSV.write(BaseRateTests.series, to: candles)
        let logs = folder.appendingPathComponent("logs")
        for (flag, value) in [("--stop", "0"), ("--target", "-0.02"), ("--stop", "nan"), ("--atr-stop", "0"), ("--base-rate-days", "-1")] {
            let result = try Self.run(binary, ["feedback", "--candles", candles.path, "--logs", logs.path, flag, value])
            #expect(result.status != 0 && result.errors.contains(flag), "\(flag) \(value): \(result.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: logs.path))
    }
}
