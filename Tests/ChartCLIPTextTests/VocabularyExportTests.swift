import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// The embedded CLIP vocabulary written as Hugging Face's `vocab.json` and `merges.txt`
/// (what `export-hf` ships) reads back as the same tokenizer.
@Suite struct VocabularyExportTests {
    @Test func exportedFilesReadBackAsTheSameTokenizer() throws {
        let embedded = try BPEVocabulary.embedded()
        let dir = try Fixtures.temporaryDirectory("vocab-export")
        let vocab = dir.appendingPathComponent("vocab.json"), merges = dir.appendingPathComponent("merges.txt")
        try embedded.huggingFaceVocabularyJSON().write(to: vocab)
        try embedded.huggingFaceMergesText().write(to: merges)

        let back = try BPEVocabulary.loadHuggingFace(vocabulary: vocab, merges: merges)
        #expect(back.tokens == embedded.tokens)
        #expect(back.mergeCount == embedded.mergeCount && back.mergeCount == BPEVocabulary.clipMergeCount)
        let texts = ["a breakout above the range", "Bull trap at 3:15pm — déjà vu!!", "ChartCLIP"]
        let a = CLIPTokenizer(vocabulary: embedded), b = CLIPTokenizer(vocabulary: back)
        for text in texts { #expect(a.encode(text) == b.encode(text), "\(text)") }

        let table = try JSONSerialization.jsonObject(with: Data(contentsOf: vocab)) as! [String: Int]
        #expect(table.count == 49408 && table["<|endoftext|>"] == 49407 && table["cat</w>"] == 2368)
        let lines = try String(contentsOf: merges, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "#version: 0.2" && lines.count == BPEVocabulary.clipMergeCount + 1)
    }

    @Test func crc32IsZlibs() {
        #expect(Gzip.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(Gzip.crc32(Data()) == 0)
    }
}
