import ChartCLIPSupport
import Foundation

/// The tokens and merge rules of a byte-level BPE tokenizer, with CLIP's special tokens.
///
/// Token ids follow openai/CLIP: the 256 byte characters (in `ByteEncoder.vocabularyOrder`),
/// the same 256 with `</w>`, one token per merge in rank order, then `<|startoftext|>`
/// (49406) and `<|endoftext|>` (49407). Hugging Face's `vocab.json` states the ids
/// explicitly; the ids are taken from it as they are.
public struct BPEVocabulary: Sendable {
    /// A merge rule: the pair it joins has this rank (lower merges first) and gives `merged`.
    struct Merge: Sendable {
        var rank: Int32
        var merged: Int32
    }

    /// Token strings indexed by id (byte characters from `ByteEncoder`, `</w>` ends a word).
    public let tokens: [String]
    /// Id of `<|startoftext|>` (49406 in CLIP).
    public let startTokenID: Int32
    /// Id of `<|endoftext|>` (49407 in CLIP); the text encoder pools at its first position.
    public let endTokenID: Int32
    /// Number of merge rules.
    public let mergeCount: Int

    let ids: [String: Int32]
    /// Key: `left << 32 | right` token ids.
    let merges: [UInt64: Merge]
    /// Id of each byte's character, indexed by byte value (inside a word).
    let byteIDs: [Int32]
    /// Id of each byte's character followed by `</w>` (the last symbol of a word).
    let byteEndIDs: [Int32]

    /// Number of tokens (49408 for CLIP).
    public var count: Int { tokens.count }

    /// The id of a token string, e.g. `"cat</w>"` → 2368.
    public func id(of token: String) -> Int32? { ids[token] }

    /// The special tokens' strings, as in openai/CLIP and Hugging Face.
    public static let startToken = "<|startoftext|>"
    /// The end-of-text token's string.
    public static let endToken = "<|endoftext|>"
    /// CLIP uses the first 48,894 merges of `bpe_simple_vocab_16e6.txt` (49152 − 256 − 2).
    public static let clipMergeCount = 49152 - 256 - 2

    /// Builds a vocabulary from an id table and ranked merges, checking that every byte
    /// symbol, merge part and merge result is a known token.
    init(ids: [String: Int32], mergePairs: [(String, String)], source: String) throws {
        let tableSize = (ids.values.max().map { Int($0) + 1 }) ?? 0
        // Ids are dense in real vocabularies; a huge id would only allocate a huge table.
        guard tableSize <= max(4 * ids.count, 1024) else {
            throw ChartCLIPError(
                "token ids go up to \(tableSize - 1) for \(ids.count) tokens", at: source,
                hint: "use the vocab.json of a Hugging Face CLIP model")
        }
        var tokens = [String](repeating: "", count: tableSize)
        for (token, id) in ids {
            guard id >= 0 else {
                throw ChartCLIPError("token \(token) has a negative id \(id)", at: source)
            }
            tokens[Int(id)] = token
        }
        func lookup(_ token: String, _ what: String) throws -> Int32 {
            guard let id = ids[token] else {
                throw ChartCLIPError(
                    "\(what) \"\(token)\" is not in the vocabulary", at: source,
                    hint: "use the vocab.json and merges.txt of the same model")
            }
            return id
        }
        var merges: [UInt64: Merge] = [:]
        merges.reserveCapacity(mergePairs.count)
        for (rank, pair) in mergePairs.enumerated() {
            let left = try lookup(pair.0, "merge part")
            let right = try lookup(pair.1, "merge part")
            let merged = try lookup(pair.0 + pair.1, "merge result")
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            if merges[key] == nil { merges[key] = Merge(rank: Int32(rank), merged: merged) }
        }
        var byteIDs = [Int32](repeating: 0, count: 256)
        var byteEndIDs = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 {
            let character = String(ByteEncoder.characters[byte])
            byteIDs[byte] = try lookup(character, "byte token")
            byteEndIDs[byte] = try lookup(character + "</w>", "byte token")
        }
        self.tokens = tokens
        self.ids = ids
        self.merges = merges
        self.mergeCount = mergePairs.count
        self.byteIDs = byteIDs
        self.byteEndIDs = byteEndIDs
        self.startTokenID = try lookup(Self.startToken, "special token")
        self.endTokenID = try lookup(Self.endToken, "special token")
    }

    /// Loads openai/CLIP's merges file, `bpe_simple_vocab_16e6.txt` (gzip-compressed or
    /// plain): a version line, then one merge `left right` per line. The vocabulary is
    /// derived from the merges as `simple_tokenizer.py` does.
    ///
    /// - Parameter mergeCount: how many merges to use; CLIP uses 48,894.
    public static func loadCLIPMerges(_ url: URL, mergeCount: Int = clipMergeCount) throws -> BPEVocabulary {
        let text = try readText(url, allowGzip: true)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 else {
            throw ChartCLIPError(
                "the file holds no merges", at: url.path,
                hint: "pass bpe_simple_vocab_16e6.txt.gz from openai/CLIP or open_clip")
        }
        lines = Array(lines[1..<min(lines.count, mergeCount + 1)])
        let pairs = try parseMerges(lines, firstLineNumber: 2, source: url.path)
        var ids: [String: Int32] = [:]
        var next: Int32 = 0
        func add(_ token: String) {
            ids[token] = next  // like Python's dict(zip(...)): a repeated token keeps the last id
            next += 1
        }
        let byteCharacters = ByteEncoder.vocabularyOrder.map { String(ByteEncoder.characters[Int($0)]) }
        byteCharacters.forEach(add)
        byteCharacters.forEach { add($0 + "</w>") }
        pairs.forEach { add($0.0 + $0.1) }
        add(startToken)
        add(endToken)
        return try BPEVocabulary(ids: ids, mergePairs: pairs, source: url.path)
    }

    /// Loads Hugging Face's `vocab.json` (token → id) and `merges.txt` (an optional
    /// `#version` line, then one merge `left right` per line, in rank order).
    public static func loadHuggingFace(vocabulary: URL, merges: URL) throws -> BPEVocabulary {
        let data = try readData(vocabulary)
        let table: [String: Int32]
        do {
            table = try JSONDecoder().decode([String: Int32].self, from: data)
        } catch {
            throw ChartCLIPError(
                "not a JSON object of token → id: \(error)", at: vocabulary.path,
                hint: "pass the vocab.json of a Hugging Face CLIP model")
        }
        let lines = try readText(merges, allowGzip: false).split(separator: "\n", omittingEmptySubsequences: false)
        let hasVersion = lines.first?.hasPrefix("#version") ?? false
        let body = hasVersion ? Array(lines.dropFirst()) : lines
        let pairs = try parseMerges(body, firstLineNumber: hasVersion ? 2 : 1, source: merges.path)
        return try BPEVocabulary(ids: table, mergePairs: pairs, source: "\(vocabulary.path) + \(merges.path)")
    }

    /// The CLIP vocabulary shipped with ChartCLIP (`bpe_simple_vocab_16e6.txt.gz`), loaded
    /// once per process.
    public static func embedded() throws -> BPEVocabulary {
        try embeddedResult.get()
    }

    private static let embeddedResult: Result<BPEVocabulary, ChartCLIPError> = {
        do {
            return .success(try loadCLIPMerges(try EmbeddedVocabulary.url()))
        } catch let error as ChartCLIPError {
            return .failure(error)
        } catch {
            return .failure(ChartCLIPError("cannot load the embedded CLIP vocabulary: \(error)"))
        }
    }()

    private static func parseMerges(
        _ lines: [Substring], firstLineNumber: Int, source: String
    ) throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(lines.count)
        for (offset, line) in lines.enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else {
                throw ChartCLIPError(
                    "line \(firstLineNumber + offset) is not a merge \"left right\": \(trimmed.prefix(80))",
                    at: source)
            }
            pairs.append((String(parts[0]), String(parts[1])))
        }
        return pairs
    }

    private static func readData(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError(
                "cannot read the tokenizer file: \(error.localizedDescription)", at: url.path,
                hint: "check the path")
        }
    }

    private static func readText(_ url: URL, allowGzip: Bool) throws -> String {
        var data = try readData(url)
        if allowGzip && Gzip.isGzip(data) {
            data = try Gzip.decompress(data, source: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChartCLIPError("the file is not UTF-8 text", at: url.path)
        }
        return text
    }
}
