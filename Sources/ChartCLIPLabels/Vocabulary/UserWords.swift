import ChartCLIPMarket

/// The users' own words for setups, as their decision code reads them from prediction files
/// (`setup == "breakout"`, `setup == "trap"`).
///
/// Every setup is written with its vocabulary spelling except `fakeout`, which the users call
/// `trap`. `breakout_with_pullback` stays a setup of its own: the users' rule "breakout with
/// high confidence" compares the word `breakout` exactly, and a retest is a different trade.
extension SetupType {
    /// The word written to `setup` in prediction files: `trap` for `fakeout`, the raw value
    /// otherwise.
    public var userWord: String {
        self == .fakeout ? "trap" : rawValue
    }

    /// The setup for a user word (`trap` → `fakeout`), or for a vocabulary spelling;
    /// `nil` for anything else.
    public init?(userWord word: String) {
        self.init(vocabularyWord: word)
    }

    /// Every user word, in `allCases` order.
    public static var userWords: [String] { allCases.map(\.userWord) }
}
