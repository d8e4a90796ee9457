import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation
import Testing

/// The users' two CV rules, their strict thresholds, and every way a prediction is ignored.
@Suite struct DecisionRuleTests {
    /// 120 candles of a gently rising market; the newest closes at `TestMarket.close(119)`.
    static let market = TestMarket.wavy(120, drift: 0.001)
    static let newest = 119

    static func decide(_ p: CVPrediction?, config: DecisionConfig = DecisionConfig()) throws -> TraderDecision {
        try simulateTraderDecisionAdvanced(series: market, prediction: p.map { .found($0, file: nil) }, config: config)
    }

    @Test func aConfidentBreakoutAddsATenth() throws {
        let d = try Self.decide(TestMarket.prediction("breakout", confidence: 0.81, at: Self.newest))
        #expect(d.cvAdjustment == 0.1)
        #expect(d.score == d.baseScore + 0.1)
        #expect(d.reasons.last == "CV Model: breakout with high confidence")
        #expect(d.predictionStatus == .used && d.prediction?.setup == "breakout")
    }

    @Test func aConfidentTrapSubtractsATenth() throws {
        let d = try Self.decide(TestMarket.prediction("trap", confidence: 0.71, at: Self.newest))
        #expect(d.cvAdjustment == -0.1)
        #expect(d.score == d.baseScore - 0.1)
        #expect(d.reasons.last == "CV Model: possible trap")
    }

    @Test func theThresholdsThemselvesDoNothing() throws {
        // The users wrote `> 0.8` and `> 0.7`: equality is not enough.
        let breakout = try Self.decide(TestMarket.prediction("breakout", confidence: 0.8, at: Self.newest))
        let trap = try Self.decide(TestMarket.prediction("trap", confidence: 0.7, at: Self.newest))
        #expect(breakout.cvAdjustment == 0 && breakout.score == breakout.baseScore)
        #expect(trap.cvAdjustment == 0 && trap.score == trap.baseScore)
        #expect(breakout.reasons.last?.contains("not above 0.8") == true)
        #expect(trap.reasons.last?.contains("not above 0.7") == true)
        #expect(breakout.predictionStatus == .used)
    }

    @Test func otherSetupsAndAConfidentFakeoutSpelling() throws {
        let range = try Self.decide(TestMarket.prediction("range_accumulation", confidence: 0.99, at: Self.newest))
        #expect(range.cvAdjustment == 0)
        // `fakeout` is the same concept as the users' `trap`.
        let fakeout = try Self.decide(TestMarket.prediction("fakeout", confidence: 0.9, at: Self.newest))
        #expect(fakeout.cvAdjustment == -0.1 && fakeout.reasons.last == "CV Model: possible trap")
        // A breakout at 0.75 is below the breakout threshold even though it is above the trap one.
        let weak = try Self.decide(TestMarket.prediction("breakout", confidence: 0.75, at: Self.newest))
        #expect(weak.cvAdjustment == 0)
    }

    @Test func thresholdsAndStepsAreConfigurable() throws {
        var config = DecisionConfig()
        config.cvRules.breakoutConfidence = 0.6
        config.cvRules.breakoutStep = 0.25
        config.cvRules.trapConfidence = 0.9
        let breakout = try Self.decide(TestMarket.prediction("breakout", confidence: 0.65, at: Self.newest), config: config)
        #expect(breakout.cvAdjustment == 0.25)
        let trap = try Self.decide(TestMarket.prediction("trap", confidence: 0.85, at: Self.newest), config: config)
        #expect(trap.cvAdjustment == 0)
        // A partial JSON config keeps the other defaults.
        let json = #"{"cv_rules": {"trap_step": 0.3}, "enter_threshold": 0.9}"#
        let partial = try JSONDecoder().decode(DecisionConfig.self, from: Data(json.utf8))
        #expect(partial.cvRules.trapStep == 0.3 && partial.cvRules.trapConfidence == 0.7)
        #expect(partial.enterThreshold == 0.9 && partial.considerThreshold == 0.45)
    }

    @Test func aPredictionOlderThanTwoIntervalsIsIgnored() throws {
        // Made two candles before the newest close: still fresh (the limit is inclusive).
        let fresh = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest - 2))
        #expect(fresh.predictionStatus == .used && fresh.cvAdjustment == 0.1)
        // Three candles before: stale, and the reason says so.
        let stale = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest - 3))
        #expect(stale.predictionStatus == .stale && stale.cvAdjustment == 0)
        #expect(stale.reasons.last?.contains("45 min old") == true)
        #expect(stale.reasons.last?.hasSuffix("ignored") == true)
        var longer = DecisionConfig()
        longer.maxPredictionAgeIntervals = 4
        let allowed = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest - 3), config: longer)
        #expect(allowed.cvAdjustment == 0.1)
    }

    @Test func predictionsForAnotherIntervalSymbolOrTheFutureAreIgnored() throws {
        let hourly = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest, interval: .h1))
        #expect(hourly.predictionStatus == .otherInterval && hourly.cvAdjustment == 0)
        #expect(hourly.reasons.last?.contains("1h candles") == true)
        let other = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest, symbol: "ETHUSDT"))
        #expect(other.predictionStatus == .otherSymbol)
        let future = try Self.decide(TestMarket.prediction("trap", confidence: 0.9, at: Self.newest + 1))
        #expect(future.predictionStatus == .fromFuture && future.cvAdjustment == 0)
        // No interval in the file (the users' files): taken to be the decision's.
        let unknown = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest, interval: nil))
        #expect(unknown.predictionStatus == .used && unknown.cvAdjustment == 0.1)
    }

    @Test func missingAndUnreadableFilesAreReasonsNotCrashes() throws {
        let folder = try TestMarket.folder("rules-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let none = try simulateTraderDecisionAdvanced(series: Self.market, predictionsDirectory: folder)
        #expect(none.predictionStatus == .missing && none.cvAdjustment == 0)
        #expect(none.reasons.last?.hasPrefix("CV Model: no prediction") == true)
        let absent = try simulateTraderDecisionAdvanced(
            series: Self.market, predictionsDirectory: folder.appendingPathComponent("absent"))
        #expect(absent.predictionStatus == .missing)
        let name = CVPredictionFiles.fileName(symbol: "BTCUSDT", timestamp: TestMarket.close(Self.newest))
        try TestMarket.write("{\"setup\": ", name, in: folder)
        let broken = try simulateTraderDecisionAdvanced(series: Self.market, predictionsDirectory: folder)
        #expect(broken.predictionStatus == .unreadable && broken.cvAdjustment == 0)
        #expect(broken.reasons.last?.contains(name) == true)
    }

    @Test func theUsersMinimalFileDrivesADecisionFromTheFolder() throws {
        let folder = try TestMarket.folder("rules-users")
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = CVPredictionFiles.fileName(symbol: "BTCUSDT", timestamp: TestMarket.close(Self.newest - 1))
        try TestMarket.write(#"{"setup": "trap", "confidence": 0.72}"#, name, in: folder)
        let d = try simulateTraderDecisionAdvanced(series: Self.market, predictionsDirectory: folder)
        #expect(d.cvAdjustment == -0.1 && d.reasons.last == "CV Model: possible trap")
        #expect(d.predictionFile?.hasSuffix(name) == true)
        // Replaying an earlier moment: the file is from that moment's future and is not read.
        var past = Self.market
        past.candles.removeLast(3)
        let replay = try simulateTraderDecisionAdvanced(series: past, predictionsDirectory: folder)
        #expect(replay.predictionStatus == .missing && replay.cvAdjustment == 0)
    }

    @Test func decisionsFollowTheConfiguredThresholds() {
        let engine = TraderDecisionEngine()
        #expect(engine.action(for: 0.65) == .enter)
        #expect(engine.action(for: 0.6499) == .consider)
        #expect(engine.action(for: 0.45) == .consider)
        #expect(engine.action(for: 0.4499) == .avoid)
        var config = DecisionConfig()
        config.enterThreshold = 0.5
        #expect(TraderDecisionEngine(config: config).action(for: 0.55) == .enter)
    }

    @Test func tooFewCandlesAreRefused() {
        var short = Self.market
        short.candles.removeLast(61)  // 59 left, one short of the minimum
        #expect(throws: ChartCLIPError.self) { try simulateTraderDecisionAdvanced(series: short, prediction: nil) }
    }

    @Test func theDecisionPrintsAsJSONAndReadsBack() throws {
        let d = try Self.decide(TestMarket.prediction("breakout", confidence: 0.9, at: Self.newest))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(d)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["decision"] as? String == d.decision.rawValue)
        #expect(object?["as_of"] as? String == UTCTime.iso(milliseconds: TestMarket.close(Self.newest)))
        #expect((object?["prediction"] as? [String: Any])?["setup"] as? String == "breakout")
        #expect(try JSONDecoder().decode(TraderDecision.self, from: data) == d)
    }
}
