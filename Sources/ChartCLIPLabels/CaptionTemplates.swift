import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Every text ChartCLIP says about a chart, in one place: the training captions made from
/// labels ("fakeout at resistance in range phase") and the prompt ensembles the zero-shot
/// classifier and the exported predictor embed for each setup and phase class.
///
/// A caption is `frame(setup phrase, phase phrase)`. Each setup-and-direction has three
/// phrases, each phase two, and there are three frames, so a label has 18 captions: batches
/// then hold fewer identical captions (false negatives for CLIP's loss). All texts are short
/// (at most 14 words; the tiny model's text context is 32 tokens).
///
/// The zero-shot prompts of a class are the captions of every label of that class, across
/// the values of the other field (the prompts of `fakeout` are fakeout captions in the
/// phases it occurs in): averaging their embeddings gives the class the same texts the model
/// was trained on, with the other field marginalised out. This is CLIP's prompt ensembling
/// with the training templates as the ensemble (`CaptionCellEmbeddings` in ChartCLIPTraining).
public enum CaptionTemplates {
    /// How a setup phrase and a phase phrase become a caption: `{setup}` and `{phase}` are
    /// replaced by the phrases.
    public static let frames: [String] = [
        "{setup} in {phase} phase",
        "{setup} during a {phase} phase",
        "{phase} phase with {setup}",
    ]

    /// `frame` with its placeholders filled.
    public static func fill(_ frame: String, setup: String, phase: String) -> String {
        frame.replacingOccurrences(of: "{setup}", with: setup).replacingOccurrences(of: "{phase}", with: phase)
    }

    /// The phrases for a setup in a direction.
    public static func setupPhrases(_ match: SetupMatch) -> [String] {
        switch (match.type, match.direction) {
        case (.breakout, .down): ["breakdown below support", "bearish breakout on high volume", "downside breakout from a range"]
        case (.breakout, _): ["breakout above resistance", "bullish breakout on high volume", "upside breakout from a range"]
        case (.breakoutWithPullback, .down):
            ["breakdown with pullback to resistance", "failed retest of broken support", "breakdown and retest of the level"]
        case (.breakoutWithPullback, _):
            ["breakout with pullback to support", "retest of broken resistance holding", "breakout and retest of the level"]
        case (.fakeout, .up): ["fakeout at support", "bear trap below support", "false breakdown rejected at support"]
        case (.fakeout, _): ["fakeout at resistance", "bull trap above resistance", "false breakout rejected at resistance"]
        case (.exhaustion, .up): ["exhaustion at the bottom", "selling climax with long lower wick", "capitulation on huge volume"]
        case (.exhaustion, _): ["exhaustion at the top", "blow off top with long upper wick", "buying climax on huge volume"]
        case (.rangeAccumulation, _): ["range accumulation", "tight sideways range", "quiet consolidation in a narrow range"]
        case (.trendContinuation, .down):
            ["trend continuation down", "downtrend resuming after a bounce", "bearish continuation after a pullback"]
        case (.trendContinuation, _):
            ["trend continuation up", "uptrend resuming after a dip", "bullish continuation after a pullback"]
        case (.none, _): ["no clear setup", "no setup", "unclear price action"]
        }
    }

    /// The phrases for a phase.
    public static func phasePhrases(_ phase: PhaseType) -> [String] {
        switch phase {
        case .trendUp: ["trend up", "uptrend"]
        case .trendDown: ["trend down", "downtrend"]
        case .range: ["range", "sideways"]
        case .breakoutContinuation: ["breakout continuation", "post breakout"]
        case .exhaustionPullback: ["exhaustion pullback", "pullback after exhaustion"]
        }
    }

    /// The setups with the directions they occur in: both directions for directional setups,
    /// `none` for the others. The label space of captions and of the zero-shot setup classes.
    public static let setupMatches: [SetupMatch] = SetupType.allCases.flatMap { type -> [SetupMatch] in
        type == .none || type == .rangeAccumulation
            ? [SetupMatch(type, .none)] : [SetupMatch(type, .up), SetupMatch(type, .down)]
    }

    /// Every training caption of `label`, in a fixed order (setup phrase, phase phrase, frame).
    public static func captions(for label: ChartLabel) -> [String] {
        captions(setup: label.match, phase: label.phaseType)
    }

    /// Every caption of a setup-and-direction in a phase, in a fixed order.
    public static func captions(setup match: SetupMatch, phase: PhaseType) -> [String] {
        var texts: [String] = []
        for s in setupPhrases(match) {
            for p in phasePhrases(phase) {
                for frame in frames { texts.append(fill(frame, setup: s, phase: p)) }
            }
        }
        return texts
    }

    /// One caption of `label`, chosen deterministically by `seed` and `index` (e.g. a sample's
    /// row number, and an epoch for a fresh choice each epoch).
    public static func caption(for label: ChartLabel, seed: UInt64 = 0, index: Int = 0) -> String {
        let all = captions(for: label)
        return all[Int(mix(seed, UInt64(truncatingIfNeeded: index)) % UInt64(all.count))]
    }

    /// One caption of `label`, chosen deterministically by a key such as a sample's name.
    public static func caption(for label: ChartLabel, key: String, seed: UInt64 = 0) -> String {
        caption(for: label, seed: seed, index: Int(truncatingIfNeeded: StableHash.fnv1a(key) >> 1))
    }

    /// SplitMix64 of `seed` and `index`: a well-mixed, platform-independent choice.
    static func mix(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var z = seed &+ index &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
