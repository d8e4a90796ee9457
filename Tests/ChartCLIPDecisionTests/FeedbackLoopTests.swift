import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation
import Testing

/// The feedback loop: outcomes, waiting and skipped predictions, idempotent logs, summaries.
@Suite struct FeedbackLoopTests {
    static let series = BaseRateTests.series
    /// One 30-minute (two-candle) horizon, the base rate over the whole series.
    static let settings = FeedbackSettings(horizons: [CandleInterval(minutes: 30)], baseRateWindow: nil)

    static let predictions = [
        TestMarket.prediction("breakout", confidence: 0.9, at: 0),  // entry 1: the spike hits +2%
        TestMarket.prediction("trap", confidence: 0.8, at: 2),  // entry 3, short: no −2% by the horizon
        TestMarket.prediction("range_accumulation", confidence: 0.6, at: 1),  // no direction
        TestMarket.prediction("breakout", confidence: 0.9, at: 4),  // entry 5: horizon not passed
        TestMarket.prediction("breakout", confidence: 0.9, at: 0, symbol: "ETHUSDT"),  // no candles
        TestMarket.prediction("breakout", confidence: 0.9, at: -3),  // before the data
    ]

    @Test func outcomesWaitingAndSkipped() throws {
        let e = FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: Self.settings)
        #expect(e.outcomes.count == 3 && e.waiting.count == 1 && e.skipped.count == 2)
        let breakout = try #require(e.outcomes.first { $0.setup == "breakout" })
        #expect(breakout.success == true && breakout.exit == .target && breakout.barsToExit == 2)
        #expect(breakout.entryTime == "2025-06-01T00:15:00Z" && breakout.entryPrice == 100)
        #expect(breakout.baseRate == 0.5 && breakout.baseRateCount == 4)
        #expect(breakout.key == "BTCUSDT|2025-06-01T00:15:00Z|30m|+2%/-1%")
        let trap = try #require(e.outcomes.first { $0.setup == "trap" })
        #expect(trap.setupDirection == "down" && trap.directionAssumed)
        #expect(trap.success == false && trap.exit == .horizon)
        #expect(abs(trap.returnAtHorizon! - (1 - 101.0 / 102)) < 1e-12)
        #expect(trap.baseRate == 0)
        let range = try #require(e.outcomes.first { $0.setup == "range_accumulation" })
        #expect(!range.applicable && range.success == nil && range.baseRate == nil)
        #expect(abs(range.rawReturn - 0.02) < 1e-12)
        #expect(e.waiting.first?.reason.contains("horizon ends") == true)
        #expect(Set(e.skipped.map(\.symbol)) == ["ETHUSDT", "BTCUSDT"])
    }

    @Test func logsAreIdempotentAndPendingHorizonsAreLoggedLater() throws {
        let logs = try TestMarket.folder("feedback-logs")
        defer { try? FileManager.default.removeItem(at: logs) }
        let first = FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: Self.settings)
        let w1 = try FeedbackLog.append(first.outcomes, to: logs)
        #expect(w1.written == 3 && w1.alreadyLogged == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
        #expect(names == ["BTCUSDT_20250601_0015.jsonl", "BTCUSDT_20250601_0030.jsonl", "BTCUSDT_20250601_0045.jsonl"])
        let before = try names.map { try Data(contentsOf: logs.appendingPathComponent($0)) }
        // Run again: nothing new, the files are byte for byte the same.
        let w2 = try FeedbackLog.append(
            FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: Self.settings).outcomes, to: logs)
        #expect(w2.written == 0 && w2.alreadyLogged == 3)
        #expect(try names.map { try Data(contentsOf: logs.appendingPathComponent($0)) } == before)
        // One more candle: the waiting prediction's horizon has passed and only it is added.
        var longer = Self.series
        longer.candles.append(Candle(
            startTime: TestMarket.june1 + 6 * TestMarket.m15, open: 101, high: 103.5, low: 100.9, close: 103, volume: 100))
        let w3 = try FeedbackLog.append(
            FeedbackLoop.evaluate(Self.predictions, candles: [longer], settings: Self.settings).outcomes, to: logs)
        #expect(w3.written == 1 && w3.alreadyLogged == 3)
        let read = try FeedbackLog.read(logs)
        #expect(read.outcomes.count == 4 && read.damagedLines.isEmpty)
        #expect(read.outcomes.filter { $0.setup == "breakout" }.allSatisfy { $0.success == true })
    }

    @Test func anotherBarrierIsAnotherLine() throws {
        let logs = try TestMarket.folder("feedback-barrier")
        defer { try? FileManager.default.removeItem(at: logs) }
        var wide = Self.settings
        wide.barrier = BarrierSpec(target: 0.03, stop: 0.01)
        _ = try FeedbackLog.append(FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: Self.settings).outcomes, to: logs)
        let w = try FeedbackLog.append(FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: wide).outcomes, to: logs)
        #expect(w.written == 3)
        #expect(try FeedbackLog.read(logs).outcomes.count == 6)
    }

    @Test func theSummaryPutsHitRatesBesideBaseRates() throws {
        let logs = try TestMarket.folder("feedback-summary")
        defer { try? FileManager.default.removeItem(at: logs) }
        var settings = Self.settings
        settings.groundTruth = .lookup { $0.setup == "breakout" ? "breakout" : "none" }
        _ = try FeedbackLog.append(FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: settings).outcomes, to: logs)
        // A damaged line and a duplicate (two runs that raced) do not change the numbers.
        let file = logs.appendingPathComponent("BTCUSDT_20250601_0015.jsonl")
        let duplicate = try String(decoding: Data(contentsOf: file), as: UTF8.self).trimmingCharacters(in: .newlines)
        try AtomicFile.appendLine(duplicate, to: file)
        try AtomicFile.appendLine("{\"half a line", to: file)
        let read = try FeedbackLog.read(logs)
        #expect(read.outcomes.count == 3 && read.damagedLines.count == 1)
        let summary = FeedbackSummary(outcomes: read.outcomes)
        #expect(summary.rows.map(\.setup) == ["breakout", "trap", "range_accumulation", "all"])
        let breakout = summary.rows[0], trap = summary.rows[1], range = summary.rows[2], all = summary.rows[3]
        #expect(breakout.count == 1 && breakout.hits == 1 && breakout.hitRate == 1 && breakout.baseRate == 0.5)
        #expect(breakout.lift == 0.5 && breakout.meanTradeReturn == 0.02)
        #expect(breakout.classified == 1 && breakout.classificationAccuracy == 1)
        #expect(trap.hitRate == 0 && trap.baseRate == 0 && trap.classificationAccuracy == 0)
        #expect(range.count == 1 && range.applicable == 0 && range.hitRate == nil)
        #expect(all.count == 2 && all.applicable == 2 && all.hits == 1 && all.hitRate == 0.5 && all.baseRate == 0.25)
        #expect(summary.table.contains("breakout"))
        // Machine-readable form.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let object = try JSONSerialization.jsonObject(with: encoder.encode(summary)) as? [String: Any]
        let rows = object?["rows"] as? [[String: Any]]
        #expect(rows?.first?["hit_rate"] as? Double == 1 && rows?.first?["base_rate"] as? Double == 0.5)
    }

    @Test func theRuleLabelsCanServeAsGroundTruth() throws {
        var settings = Self.settings
        settings.groundTruth = .setupRules(SetupRules())
        let e = FeedbackLoop.evaluate(Self.predictions, candles: [Self.series], settings: settings)
        // On these flat candles the rules see a narrow, trendless range before the spike and
        // nothing they name afterwards: the range call is right, the others are not.
        let truth = e.outcomes.map { ($0.setup, $0.trueSetup, $0.classificationCorrect) }
        #expect(truth.map(\.0) == ["breakout", "trap", "range_accumulation"])
        #expect(truth.map(\.1) == ["none", "none", "range_accumulation"])
        #expect(truth.map(\.2) == [false, false, true])
    }

    @Test func anATRScaledTargetIsRecordedPerLine() throws {
        var settings = Self.settings
        settings.barrier = BarrierSpec(targetATR: 1)
        let e = FeedbackLoop.evaluate([Self.predictions[0]], candles: [Self.series], settings: settings)
        let o = try #require(e.outcomes.first)
        // ATR of candle 0 is its range, 1.0; the entry opens at 100: a 1% target.
        #expect(abs(o.targetFraction! - 0.01) < 1e-12 && o.barrier == "+1ATR/-1%")
        #expect(o.success == true)
    }
}
