import ChartCLIPSupport
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// The embedded vocabulary, loaded once for every test in this file.
private let tokenizer: CLIPTokenizer = {
    do { return try CLIPTokenizer() } catch { preconditionFailure("embedded vocabulary: \(error)") }
}()

@Suite("CLIP tokenizer")
struct CLIPTokenizerTests {
    /// The vectors from issue 3, which openai/CLIP, open_clip and Hugging Face all give.
    @Test(arguments: [
        ("a photo of a cat", [49406, 320, 1125, 539, 320, 2368, 49407]),
        ("hello world", [49406, 3306, 1002, 49407]),
        ("fakeout at resistance in range phase", [49406, 18794, 620, 536, 7392, 530, 3818, 8304, 49407]),
    ] as [(String, [Int32])])
    func issueVectors(text: String, expected: [Int32]) throws {
        let tokenized = try tokenizer.tokenize(text)
        #expect(Array(tokenized.unpaddedIDs) == expected)
        #expect(tokenized.ids.count == 77)
        #expect(tokenized.endIndex == expected.count - 1)
        #expect(tokenized.ids[expected.count...].allSatisfy { $0 == 0 })
    }

    @Test("the embedded vocabulary is CLIP's: 49408 tokens, start 49406, end 49407")
    func vocabularyShape() {
        #expect(tokenizer.vocabulary.count == 49408)
        #expect(tokenizer.vocabulary.mergeCount == 48894)
        #expect(tokenizer.startTokenID == 49406)
        #expect(tokenizer.endTokenID == 49407)
        #expect(tokenizer.vocabulary.id(of: "cat</w>") == 2368)
        #expect(tokenizer.vocabulary.tokens[0] == "!")
    }

    /// Golden ids from Hugging Face's CLIPTokenizer (Tests/Fixtures/tokenizer/make_tokenizer_fixtures.py):
    /// punctuation, digits, contractions, capitals, whitespace, accents, CJK, emoji, long text.
    @Test func matchesHuggingFace() throws {
        let golden = try GoldenFile.load("tokenizer/hf_clip_tokenizer_golden.json")
        #expect(golden.cases.count >= 30)
        for testCase in golden.cases {
            let tokenized = try tokenizer.tokenize(testCase.text, contextLength: golden.context_length ?? 77)
            #expect(Array(tokenized.unpaddedIDs) == testCase.ids, "text: \(testCase.text)")
        }
    }

    @Test("truncation keeps the end token in the last position")
    func truncationKeepsEndToken() throws {
        let long = Array(repeating: "breakout", count: 200).joined(separator: " ")
        let full = try tokenizer.tokenize(long, contextLength: 77)
        #expect(full.ids.count == 77)
        #expect(full.ids.last == 49407)
        #expect(full.endIndex == 76)
        #expect(full.length == 77)
        let short = try tokenizer.tokenize("a photo of a cat", contextLength: 4)
        #expect(short.ids == [49406, 320, 1125, 49407])
        #expect(short.endIndex == 3)
    }

    @Test func contextLengthBelowTwoIsAnError() {
        #expect(throws: ChartCLIPError.self) { try tokenizer.tokenize("x", contextLength: 1) }
    }

    @Test("a batch is row-major [B, T] with one pooling index per row")
    func batch() throws {
        let batch = try tokenizer.tokenize(["hello world", "a photo of a cat", ""], contextLength: 8)
        #expect(batch.batchSize == 3)
        #expect(batch.contextLength == 8)
        #expect(batch.ids.count == 24)
        #expect(Array(batch.row(0)) == [49406, 3306, 1002, 49407, 0, 0, 0, 0])
        #expect(Array(batch.row(1)) == [49406, 320, 1125, 539, 320, 2368, 49407, 0])
        #expect(Array(batch.row(2)) == [49406, 49407, 0, 0, 0, 0, 0, 0])
        #expect(batch.endIndices == [3, 6, 1])
    }

    @Test func decodeGivesTheCleanedText() {
        let ids = tokenizer.encode("Fakeout at   RESISTANCE, in range-phase!")
        #expect(tokenizer.decode(ids) == "fakeout at resistance , in range - phase !")
        #expect(tokenizer.decode(tokenizer.encode("café 🚀")) == "café 🚀")
    }

    @Test("the tokenizer is safe to share between threads")
    func concurrentUse() async throws {
        let texts = (0..<64).map { "setup \($0) breakout_with_pullback in trend-up phase \($0 * 7)" }
        let expected = texts.map { tokenizer.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int32]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, tokenizer.encode(text)) }
            }
            var results = [[Int32]](repeating: [], count: texts.count)
            for await (index, ids) in group { results[index] = ids }
            return results
        }
        #expect(results == expected)
    }
}

/// The JSON written by make_tokenizer_fixtures.py.
struct GoldenFile: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
    }
    var context_length: Int?
    var cases: [Case]

    static func load(_ relativePath: String) throws -> GoldenFile {
        let data = try Data(contentsOf: Fixtures.url(relativePath))
        return try JSONDecoder().decode(GoldenFile.self, from: data)
    }
}
