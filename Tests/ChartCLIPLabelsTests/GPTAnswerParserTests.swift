import ChartCLIPLabels
import ChartCLIPMarket
import Testing

/// The strict reading of a model's answer: JSON or `key: value` lines, prose around the fields
/// tolerated, prose in them not, nothing outside the vocabulary.
@Suite struct GPTAnswerParserTests {
    func parse(_ text: String) throws -> GPTAnswer { try GPTAnswerParser.parse(text) }

    @Test func aJSONObjectIsRead() throws {
        let a = try parse(#"{"setup_type": "fakeout", "phase_type": "range", "confidence": 0.7}"#)
        #expect(a.setup.setupType == .fakeout && a.setup.impliedDirection == nil)
        #expect(a.phase == .range && a.confidence == 0.7 && a.direction == nil)
    }

    @Test func jsonInACodeFenceWithProseAroundIsRead() throws {
        let text = """
            Here is the label:
            ```json
            {"setup_type": "bull trap", "phase_type": "ranging", "confidence": "0.66"}
            ```
            Let me know if you need more.
            """
        let a = try parse(text)
        #expect(a.setup == .init(setupType: .fakeout, impliedDirection: .down))
        #expect(a.phase == .range && a.confidence == 0.66)
    }

    @Test func keyValueLinesAreRead() throws {
        let a = try parse("Setup type: retest\n**phase_type**: breakout continuation\nconfidence = 80%\n")
        #expect(a.setup.setupType == .breakoutWithPullback && a.phase == .breakoutContinuation && a.confidence == 0.8)
        let oneLine = try parse("setup_type: trap, phase_type: trend_down, confidence: 0.9")
        #expect(oneLine.setup.setupType == .fakeout && oneLine.phase == .trendDown)
    }

    @Test func proseAroundTheFieldsIsTolerated() throws {
        let text = """
            Looking at the chart, the price spiked above resistance and closed back inside.
            - setup_type: false breakout
            - phase_type: range
            - confidence: 0.75
            This is my assessment.
            """
        let a = try parse(text)
        #expect(a.setup.setupType == .fakeout && a.phase == .range && a.confidence == 0.75)
    }

    @Test(arguments: [
        ("setup_type: breakout, probably\nphase_type: range\nconfidence: 0.7", "prose inside a value"),
        ("setup_type: breakout or fakeout\nphase_type: range\nconfidence: 0.7", "two setups in one value"),
        ("setup_type: cup and handle\nphase_type: range\nconfidence: 0.7", "a setup outside the vocabulary"),
        ("setup_type: breakout\nphase_type: bull market\nconfidence: 0.7", "a phase outside the vocabulary"),
        ("setup_type: breakout\nphase_type: range\nconfidence: 85", "a bare 85 (percent? error?)"),
        ("setup_type: breakout\nphase_type: range\nconfidence: 1.2", "a confidence above 1"),
        ("setup_type: breakout\nphase_type: range", "a missing confidence"),
        ("setup_type: breakout\nsetup_type: fakeout\nphase_type: range\nconfidence: 0.5", "a field given twice, differently"),
        (#"{"setup_type": "breakout", "phase_type": "range", "confidence": 0.5} or {"setup_type": "fakeout", "phase_type": "range", "confidence": 0.5}"#, "two JSON answers"),
        (#"{"setup_type": "bull trap", "setup_direction": "up", "phase_type": "range", "confidence": 0.5}"#, "a bull trap said to imply up"),
        (#"{"setup_type": 3, "phase_type": "range", "confidence": 0.5}"#, "a setup that is not a string"),
        ("The chart shows a breakout in an uptrend with high confidence.", "only prose"),
        ("", "an empty answer"),
    ])
    func invalidAnswersAreRejectedNeverGuessed(text: String, why: String) {
        #expect(throws: GPTAnswerParser.Rejection.self, "\(why)") { try parse(text) }
    }

    @Test func synonymsMapOntoTheVocabularyAndNothingElseDoes() {
        #expect(LabelSynonyms.setup("Breakout with pullback")?.setupType == .breakoutWithPullback)
        #expect(LabelSynonyms.setup("retest")?.setupType == .breakoutWithPullback)
        #expect(LabelSynonyms.setup("FALSE-BREAKOUT")?.setupType == .fakeout)
        #expect(LabelSynonyms.setup("bear trap") == .init(setupType: .fakeout, impliedDirection: .up))
        #expect(LabelSynonyms.setup("accumulation")?.setupType == .rangeAccumulation)
        #expect(LabelSynonyms.setup("breakdown") == .init(setupType: .breakout, impliedDirection: .down))
        #expect(LabelSynonyms.setup("blow-off top") == .init(setupType: .exhaustion, impliedDirection: .down))
        #expect(LabelSynonyms.phase("breakout-continuation") == .breakoutContinuation)
        #expect(LabelSynonyms.phase("Uptrend") == .trendUp)
        for word in ["pullback", "head and shoulders", "breakout-ish", "pump", "bullish"] {
            #expect(LabelSynonyms.setup(word) == nil, "\(word)")
        }
        // Every vocabulary word is its own synonym.
        for type in SetupType.allCases { #expect(LabelSynonyms.setup(type.rawValue)?.setupType == type) }
        for phase in PhaseType.allCases { #expect(LabelSynonyms.phase(phase.rawValue) == phase) }
    }
}
