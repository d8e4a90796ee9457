import ArgumentParser
import ChartCLIPSupport
import ChartCLIPText
import Foundation

/// `chartclip tokenize "TEXT"…`: prints CLIP token ids, one line per text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of texts (start 49406, end 49407).",
        discussion: """
            Uses the CLIP vocabulary that ships with ChartCLIP unless --bpe or --vocab/--merges \
            name other files. Text longer than the context length is cut, keeping the end token.
            Example: chartclip tokenize "a photo of a cat"  →  49406 320 1125 539 320 2368 49407
            """)

    @Argument(help: "The texts to tokenize.")
    var texts: [String]

    @Option(help: "Context length: ids per text, start and end token included.")
    var contextLength: Int = CLIPTokenizer.defaultContextLength

    @Flag(help: "Print all context-length ids, zero padding included.")
    var pad = false

    @Flag(help: "Print JSON: {\"ids\": [[…]], \"end_indices\": […]}.")
    var json = false

    @Option(help: "openai/CLIP merges file (bpe_simple_vocab_16e6.txt.gz) instead of the embedded one.")
    var bpe: String?

    @Option(help: "Hugging Face vocab.json (with --merges).")
    var vocab: String?

    @Option(help: "Hugging Face merges.txt (with --vocab).")
    var merges: String?

    func run() throws {
        let tokenizer: CLIPTokenizer
        switch (bpe, vocab, merges) {
        case (nil, nil, nil):
            tokenizer = try CLIPTokenizer()
        case (let bpe?, nil, nil):
            tokenizer = try CLIPTokenizer(clipMergesFile: URL(fileURLWithPath: bpe))
        case (nil, let vocab?, let merges?):
            tokenizer = try CLIPTokenizer(
                vocabularyFile: URL(fileURLWithPath: vocab), mergesFile: URL(fileURLWithPath: merges))
        default:
            throw ValidationError("pass either --bpe FILE or both --vocab FILE and --merges FILE")
        }
        let batch = try tokenizer.tokenize(texts, contextLength: contextLength)
        let rows = (0..<batch.batchSize).map { index -> [Int32] in
            let row = batch.row(index)
            return pad ? Array(row) : Array(row.prefix(batch.endIndices[index] + 1))
        }
        if json {
            let rowsJSON = rows.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
            let ends = batch.endIndices.map(String.init).joined(separator: ", ")
            print("{\"ids\": [\(rowsJSON.joined(separator: ", "))], \"end_indices\": [\(ends)]}")
        } else {
            for row in rows { print(row.map(String.init).joined(separator: " ")) }
        }
    }
}
