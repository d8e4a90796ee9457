import ChartCLIPMarket

/// The words a GPT answer may use for the vocabulary, and nothing else.
///
/// A value is normalised (lower case; `_`, `-`, `/` and runs of spaces become one space;
/// surrounding quotes, backticks, asterisks and `.,;:!` dropped) and then looked up whole in
/// a fixed table. There is no fuzzy matching and no search inside longer text: `"breakout,
/// probably"` or `"breakout or fakeout"` are rejected, because a label that is guessed is worse
/// than no label. Some synonyms also fix the direction (`bull trap` is a fakeout implying
/// `down`, `breakdown` a breakout `down`).
public enum LabelSynonyms {
    /// A setup read from free text, with the direction the words themselves imply (if any).
    public struct SetupReading: Equatable, Sendable {
        /// The setup.
        public var setupType: SetupType
        /// The direction the words imply (`bull trap` → `down`), or `nil` when they imply none.
        public var impliedDirection: SetupDirection?

        /// Creates a reading.
        public init(setupType: SetupType, impliedDirection: SetupDirection?) {
            self.setupType = setupType
            self.impliedDirection = impliedDirection
        }
    }

    /// Lower case, separators to single spaces, decoration stripped (see the type's comment).
    public static func normalise(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.lowercased().unicodeScalars {
            let isSeparator = scalar == "_" || scalar == "-" || scalar == "/" || scalar == " " || scalar == "\t"
            if isSeparator {
                if !lastWasSpace { scalars.append(" ") }
                lastWasSpace = true
            } else {
                scalars.append(scalar)
                lastWasSpace = false
            }
        }
        var s = String(scalars)
        let decoration: Set<Character> = ["\"", "'", "`", "*", ".", ",", ";", ":", "!", " "]
        while let c = s.first, decoration.contains(c) { s.removeFirst() }
        while let c = s.last, decoration.contains(c) { s.removeLast() }
        return s
    }

    /// The setup named by `text`, or `nil` when it is not a vocabulary word or a known synonym.
    public static func setup(_ text: String) -> SetupReading? {
        setupTable[normalise(text)]
    }

    /// The phase named by `text`, or `nil`.
    public static func phase(_ text: String) -> PhaseType? {
        phaseTable[normalise(text)]
    }

    /// The direction named by `text` (`up`/`long`/`bullish`, `down`/`short`/`bearish`,
    /// `none`/`neutral`), or `nil`.
    public static func direction(_ text: String) -> SetupDirection? {
        directionTable[normalise(text)]
    }

    /// Every accepted spelling of a setup (normalised), for documentation and prompts.
    public static var setupSpellings: [String] { setupTable.keys.sorted() }

    /// Every accepted spelling of a phase (normalised).
    public static var phaseSpellings: [String] { phaseTable.keys.sorted() }

    // MARK: Tables (keys are normalised spellings)

    private static let setupTable: [String: SetupReading] = {
        var table: [String: SetupReading] = [:]
        func add(_ type: SetupType, _ direction: SetupDirection?, _ words: [String]) {
            for w in words { table[normalise(w)] = SetupReading(setupType: type, impliedDirection: direction) }
        }
        for type in SetupType.allCases { add(type, type == .none || type == .rangeAccumulation ? SetupDirection.none : nil, [type.rawValue]) }
        add(.breakout, nil, ["break out", "breakout setup"])
        add(.breakout, .up, ["bullish breakout", "upside breakout", "breakout up"])
        add(.breakout, .down, ["breakdown", "break down", "bearish breakout", "downside breakout", "breakout down"])
        add(.breakoutWithPullback, nil, [
            "breakout with pullback", "breakout and pullback", "breakout pullback", "breakout with retest",
            "breakout and retest", "breakout retest", "break and retest", "retest", "pullback retest",
        ])
        add(.breakoutWithPullback, .down, ["breakdown retest", "breakdown with retest", "breakdown and retest"])
        add(.fakeout, nil, [
            "fake out", "trap", "false breakout", "failed breakout", "fake breakout", "fakeout setup",
        ])
        add(.fakeout, .down, ["bull trap", "bullish trap"])
        add(.fakeout, .up, [
            "bear trap", "bearish trap", "false breakdown", "failed breakdown", "fake breakdown",
        ])
        add(.exhaustion, nil, ["climax", "exhaustion move"])
        add(.exhaustion, .down, ["exhaustion top", "blow off top", "blowoff top", "buying climax"])
        add(.exhaustion, .up, ["exhaustion bottom", "selling climax", "capitulation"])
        add(.rangeAccumulation, SetupDirection.none, [
            "range accumulation", "accumulation", "range", "consolidation", "accumulation range",
        ])
        add(.trendContinuation, nil, ["trend continuation", "continuation", "trend pullback continuation"])
        add(.trendContinuation, .up, ["bullish continuation", "uptrend continuation"])
        add(.trendContinuation, .down, ["bearish continuation", "downtrend continuation"])
        add(.none, SetupDirection.none, ["no setup", "no pattern", "no clear setup", "nothing"])
        return table
    }()

    private static let phaseTable: [String: PhaseType] = {
        var table: [String: PhaseType] = [:]
        func add(_ phase: PhaseType, _ words: [String]) {
            for w in words { table[normalise(w)] = phase }
        }
        for phase in PhaseType.allCases { add(phase, [phase.rawValue]) }
        add(.trendUp, ["uptrend", "up trend", "trending up", "bullish trend"])
        add(.trendDown, ["downtrend", "down trend", "trending down", "bearish trend"])
        add(.range, ["ranging", "sideways", "consolidation", "range bound", "accumulation"])
        add(.breakoutContinuation, ["breakout continuation", "post breakout", "breakout phase"])
        add(.exhaustionPullback, ["exhaustion pullback", "pullback after exhaustion", "exhaustion"])
        return table
    }()

    private static let directionTable: [String: SetupDirection] = [
        "up": .up, "long": .up, "bullish": .up,
        "down": .down, "short": .down, "bearish": .down,
        "none": .none, "neutral": .none, "no direction": .none,
    ]
}
