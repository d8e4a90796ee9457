import Foundation
import ChartCLIPMarket

/// The users' setup words and what they mean in ChartCLIP's vocabulary.
///
/// The users' files say `trap` where ChartCLIP's rules say `fakeout`; the decision engine and
/// the feedback loop compare concepts, not spellings, so either word triggers the trap rule.
/// This small private mapping stands in until the labels module's vocabulary (with its
/// synonyms) is available; it only covers the words prediction files contain.
enum SetupWords {
    /// The setup a word names, or `nil` for a word ChartCLIP does not know. Case, spaces and
    /// hyphens do not matter (`Breakout with pullback` is `breakout_with_pullback`).
    static func setupType(_ word: String) -> SetupType? {
        let key = normalized(word)
        switch key {
        case "trap", "fakeout", "fake_out", "bull_trap", "bear_trap": return .fakeout
        case "breakout_with_retest", "pullback", "retest": return .breakoutWithPullback
        case "": return SetupType.none
        default: return SetupType(rawValue: key)
        }
    }

    /// The users' word for a setup: `trap` for `fakeout`, the JSON spelling otherwise.
    static func userWord(_ type: SetupType) -> String {
        type == .fakeout ? "trap" : type.rawValue
    }

    /// The users' word for any spelling of a known setup; unknown words are kept as written.
    static func canonicalWord(_ word: String) -> String {
        setupType(word).map(userWord) ?? word
    }

    /// The direction assumed when a prediction file does not say (the users' own files hold
    /// only `setup` and `confidence`). Their scanner looks for long entries, so a breakout,
    /// a retest or a continuation is read as upward, and a trap or an exhaustion as the bull
    /// trap or blow-off top it warns about, downward. Ranges and `none` imply no move.
    static func assumedDirection(_ type: SetupType?) -> SetupDirection {
        guard let type else { return .none }
        return switch type {
        case .breakout, .breakoutWithPullback, .trendContinuation: .up
        case .fakeout, .exhaustion: .down
        case .rangeAccumulation, .none: .none
        }
    }

    /// A direction as files spell it: `up`/`down`/`none`, or `long`, `bullish`, `short`,
    /// `bearish`, `neutral`; `nil` for anything else.
    static func direction(_ word: String) -> SetupDirection? {
        switch normalized(word) {
        case "up", "long", "bullish", "bull": .up
        case "down", "short", "bearish", "bear": .down
        case "none", "neutral", "": SetupDirection.none
        default: nil
        }
    }

    private static func normalized(_ word: String) -> String {
        let lower = word.lowercased().trimmingCharacters(in: .whitespaces)
        return String(lower.map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}
