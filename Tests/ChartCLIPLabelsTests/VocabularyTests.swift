import ChartCLIPLabels
import ChartCLIPMarket
import Foundation
import Testing

/// The label vocabulary, its JSON form, the users' words, and the caption templates.
@Suite struct VocabularyTests {
    func decode(_ json: String) throws -> ChartLabel {
        try JSONDecoder().decode(ChartLabel.self, from: Data(json.utf8))
    }

    @Test func labelsReadAndWriteTheUsersSpellings() throws {
        let label = try decode(#"{"setup_type":"trap","setup_direction":"down","phase_type":"range","confidence":0.7}"#)
        #expect(label == ChartLabel(setupType: .fakeout, setupDirection: .down, phaseType: .range, confidence: 0.7))
        let json = String(decoding: try JSONEncoder().encode(label), as: UTF8.self)
        #expect(json.contains(#""setup_type":"fakeout""#), "written with the vocabulary spelling")
        #expect(try decode(json) == label)
    }

    @Test(arguments: [
        #"{"setup_type":"bull trap","setup_direction":"down","phase_type":"range","confidence":0.7}"#,
        #"{"setup_type":"breakout","setup_direction":"none","phase_type":"range","confidence":0.7}"#,
        #"{"setup_type":"range_accumulation","setup_direction":"up","phase_type":"range","confidence":0.7}"#,
        #"{"setup_type":"breakout","setup_direction":"up","phase_type":"sideways","confidence":0.7}"#,
        #"{"setup_type":"breakout","setup_direction":"up","phase_type":"range","confidence":1.5}"#,
        #"{"setup_type":"breakout","setup_direction":"up","phase_type":"range"}"#,
    ])
    func invalidLabelsAreRejected(json: String) {
        #expect(throws: (any Error).self) { try decode(json) }
    }

    @Test func userWordsAreTheVocabularyExceptTrap() {
        #expect(SetupType.fakeout.userWord == "trap")
        #expect(SetupType.breakout.userWord == "breakout")
        #expect(SetupType.breakoutWithPullback.userWord == "breakout_with_pullback")
        #expect(SetupType(userWord: "trap") == .fakeout && SetupType(userWord: "fakeout") == .fakeout)
        #expect(SetupType(userWord: "bull trap") == nil)
        #expect(Set(SetupType.userWords).count == SetupType.allCases.count)
    }

    @Test func everyLabelHasSeveralShortDistinctCaptions() {
        for match in CaptionTemplates.setupMatches {
            for phase in PhaseType.allCases {
                let captions = CaptionTemplates.captions(setup: match, phase: phase)
                #expect(captions.count == 18 && Set(captions).count == 18, "\(match) \(phase)")
                for c in captions {
                    #expect(c.split(separator: " ").count <= 14 && c.count <= 80, "\(c)")
                    #expect(!c.contains(",") && !c.contains("\""), "captions stay CSV-plain: \(c)")
                }
            }
        }
        let fakeout = ChartLabel(setupType: .fakeout, setupDirection: .down, phaseType: .range, confidence: 0.8)
        #expect(CaptionTemplates.captions(for: fakeout).contains("fakeout at resistance in range phase"))
    }

    @Test func theCaptionChoiceIsDeterministicAndSpreads() {
        let label = ChartLabel(setupType: .breakout, setupDirection: .up, phaseType: .trendUp, confidence: 0.9)
        let chosen = (0..<200).map { CaptionTemplates.caption(for: label, seed: 1, index: $0) }
        #expect(chosen == (0..<200).map { CaptionTemplates.caption(for: label, seed: 1, index: $0) })
        #expect(Set(chosen).count == 18, "every template is used")
        #expect(CaptionTemplates.caption(for: label, key: "BTCUSDT_20250623_1400")
            == CaptionTemplates.caption(for: label, key: "BTCUSDT_20250623_1400"))
    }

    @Test func everySetupAndPhaseCellHasItsOwnCaptions() {
        // The cells the zero-shot prompt ensembles are built from: 12 setups-with-direction × 5 phases.
        let cells = CaptionTemplates.setupMatches.flatMap { m in PhaseType.allCases.map { (m, $0) } }
        #expect(cells.count == 12 * 5)
        let all = cells.flatMap { CaptionTemplates.captions(setup: $0.0, phase: $0.1) }
        #expect(all.count == 18 * cells.count)
        // No text belongs to two cells: the ensembles of different classes do not blur into each other.
        #expect(Set(all).count == all.count)
    }
}
