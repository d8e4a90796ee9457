import ChartCLIPSupport
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

@Suite("BPE vocabulary files")
struct BPEVocabularyTests {
    /// A three-merge vocabulary in Hugging Face's format, with ids from its CLIPTokenizer.
    @Test func loadsHuggingFaceFiles() throws {
        let folder = Fixtures.url("tokenizer/mini")
        let tokenizer = try CLIPTokenizer(
            vocabularyFile: folder.appendingPathComponent("vocab.json"),
            mergesFile: folder.appendingPathComponent("merges.txt"))
        #expect(tokenizer.startTokenID == 515)
        #expect(tokenizer.endTokenID == 516)
        let golden = try GoldenFile.load("tokenizer/mini/golden.json")
        for testCase in golden.cases {
            let ids = try tokenizer.tokenize(testCase.text, contextLength: 77)
            #expect(Array(ids.unpaddedIDs) == testCase.ids, "text: \(testCase.text)")
        }
    }

    /// The same merges as plain text and gzip give the same vocabulary.
    @Test func loadsPlainAndGzippedMerges() throws {
        let folder = try Fixtures.temporaryDirectory("bpe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("merges.txt")
        try "#version: 0.2\nl o\nlo w</w>\nh i</w>\n".write(to: plain, atomically: true, encoding: .utf8)
        let tokenizer = try CLIPTokenizer(clipMergesFile: plain)
        #expect(tokenizer.vocabulary.count == 512 + 3 + 2)
        #expect(Array(try tokenizer.tokenize("low hi").unpaddedIDs) == [515, 513, 514, 516])
    }

    @Test func truncatedGzipIsAClearError() throws {
        let folder = try Fixtures.temporaryDirectory("bpe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Fixtures.repositoryRoot
            .appendingPathComponent("Sources/ChartCLIPText/Resources/bpe_simple_vocab_16e6.txt.gz")
        let data = try Data(contentsOf: source)
        let truncated = folder.appendingPathComponent("cut.txt.gz")
        try data.prefix(5000).write(to: truncated)
        do {
            _ = try BPEVocabulary.loadCLIPMerges(truncated)
            Issue.record("a truncated gzip file loaded")
        } catch let error as ChartCLIPError {
            #expect(error.location == truncated.path)
            #expect(error.message.contains("truncated") || error.message.contains("corrupt"))
        }
    }

    @Test func missingFileAndBadMergeLineNameTheFile() throws {
        let folder = try Fixtures.temporaryDirectory("bpe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nope.json")
        #expect(throws: ChartCLIPError.self) {
            try CLIPTokenizer(vocabularyFile: missing, mergesFile: missing)
        }
        let bad = folder.appendingPathComponent("bad.txt")
        try "#version: 0.2\nl o\nthree parts here\n".write(to: bad, atomically: true, encoding: .utf8)
        do {
            _ = try BPEVocabulary.loadCLIPMerges(bad)
            Issue.record("a bad merges file loaded")
        } catch let error as ChartCLIPError {
            #expect(error.location == bad.path)
            #expect(error.message.contains("line 3"))
        }
    }

    @Test("merges that use unknown tokens are rejected, not silently skipped")
    func mergeWithUnknownToken() throws {
        let folder = try Fixtures.temporaryDirectory("bpe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocab = folder.appendingPathComponent("vocab.json")
        let merges = folder.appendingPathComponent("merges.txt")
        try Data(contentsOf: Fixtures.url("tokenizer/mini/vocab.json")).write(to: vocab)
        try "#version: 0.2\nx y\n".write(to: merges, atomically: true, encoding: .utf8)
        #expect(throws: ChartCLIPError.self) {
            try CLIPTokenizer(vocabularyFile: vocab, mergesFile: merges)
        }
    }

    @Test("bytes map to printable stand-ins and back")
    func byteEncoderRoundTrip() {
        #expect(ByteEncoder.characters[Int(UInt8(ascii: "a"))] == "a")
        #expect(ByteEncoder.characters[32] == "Ġ")  // space is the 33rd non-printable → U+0120
        #expect(ByteEncoder.vocabularyOrder.count == 256)
        #expect(Set(ByteEncoder.vocabularyOrder).count == 256)
        for byte in 0..<256 {
            #expect(ByteEncoder.byte(for: ByteEncoder.characters[byte]) == UInt8(byte))
        }
    }
}
