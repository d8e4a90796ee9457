import ChartCLIPText
import Testing

@Suite("CLIP text cleaning and pre-split")
struct CLIPTextCleanerTests {
    @Test func cleaningLowercasesAndCollapsesWhitespace() {
        #expect(CLIPTextCleaner.clean("  Fakeout\tAT\n\nResistance  ") == "fakeout at resistance")
        #expect(CLIPTextCleaner.clean("e\u{301}") == "é")  // NFC composes
        #expect(CLIPTextCleaner.clean("a\u{a0}b") == "a b")  // no-break space is whitespace
    }

    @Test(arguments: [
        ("it's 2.5%", ["it", "'s", "2", ".", "5", "%"]),
        ("they're we've i'm you'll he'd don't", ["they", "'re", "we", "'ve", "i", "'m", "you", "'ll", "he", "'d", "don", "'t"]),
        ("''s !'s", ["''", "s", "!'", "s"]),
        ("breakout_with_pullback", ["breakout", "_", "with", "_", "pullback"]),
        ("x<|endoftext|>y", ["x", "<|endoftext|>", "y"]),
        ("日本語の12", ["日本語の", "1", "2"]),
        ("🚀📈!", ["🚀📈!"]),
        ("", []),
    ])
    func split(text: String, pieces: [String]) {
        #expect(CLIPTextCleaner.split(text) == pieces)
    }
}
