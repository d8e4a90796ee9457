import ChartCLIPSupport
import Foundation

/// CLIP's byte-level BPE tokenizer, token for token the same as openai/CLIP's
/// `simple_tokenizer.py` and Hugging Face's `CLIPTokenizer`.
///
/// ```swift
/// let tokenizer = try CLIPTokenizer()
/// let batch = try tokenizer.tokenize(["a photo of a cat", "hello world"])
/// // batch.ids: [B * T] Int32, zero-padded; batch.endIndices: [B], where to pool
/// ```
///
/// Steps: split out literal special tokens, clean (NFC, whitespace, lower-case), pre-split
/// with CLIP's pattern (`CLIPTextCleaner`), map each piece's UTF-8 bytes to their stand-in
/// characters (`ByteEncoder`), mark the last with `</w>`, and apply merges lowest rank first.
/// Results per piece are cached. Safe to share between threads.
public final class CLIPTokenizer: @unchecked Sendable {
    /// The tokens and merges.
    public let vocabulary: BPEVocabulary
    /// CLIP's context length: 77 tokens including the start and end tokens.
    public static let defaultContextLength = 77

    private var cache: [String: [Int32]] = [:]
    private let cacheLock = NSLock()
    // Bounds memory on endless streams of unique words; CLIP captions rarely get near it.
    private let cacheLimit = 100_000

    /// A tokenizer with the CLIP vocabulary that ships with ChartCLIP.
    public convenience init() throws {
        self.init(vocabulary: try BPEVocabulary.embedded())
    }

    /// A tokenizer with a given vocabulary.
    public init(vocabulary: BPEVocabulary) {
        self.vocabulary = vocabulary
    }

    /// A tokenizer from openai/CLIP's `bpe_simple_vocab_16e6.txt.gz` (or the plain text).
    public convenience init(clipMergesFile url: URL) throws {
        self.init(vocabulary: try BPEVocabulary.loadCLIPMerges(url))
    }

    /// A tokenizer from Hugging Face's `vocab.json` and `merges.txt`.
    public convenience init(vocabularyFile: URL, mergesFile: URL) throws {
        self.init(vocabulary: try BPEVocabulary.loadHuggingFace(vocabulary: vocabularyFile, merges: mergesFile))
    }

    /// Id of `<|startoftext|>` (49406).
    public var startTokenID: Int32 { vocabulary.startTokenID }
    /// Id of `<|endoftext|>` (49407).
    public var endTokenID: Int32 { vocabulary.endTokenID }

    /// The BPE ids of `text`, without start and end tokens and without truncation.
    ///
    /// Literal `<|startoftext|>` and `<|endoftext|>` in the text become their ids, as in
    /// Hugging Face.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for (segment, special) in Self.splitSpecialTokens(text) {
            if let special {
                ids.append(special == BPEVocabulary.startToken ? startTokenID : endTokenID)
                continue
            }
            for piece in CLIPTextCleaner.split(CLIPTextCleaner.clean(String(segment))) {
                ids.append(contentsOf: encodePiece(piece))
            }
        }
        return ids
    }

    /// `text` as exactly `contextLength` ids: start token, BPE ids, end token, zero padding.
    ///
    /// Too-long text is cut so that the end token is always kept at position
    /// `contextLength - 1` (open_clip and Hugging Face do the same).
    public func tokenize(_ text: String, contextLength: Int = defaultContextLength) throws -> TokenizedText {
        guard contextLength >= 2 else {
            throw ChartCLIPError(
                "context length \(contextLength) is too short", at: "tokenizer",
                hint: "use at least 2 (start and end token); CLIP uses 77")
        }
        var ids = [startTokenID]
        ids.append(contentsOf: encode(text).prefix(contextLength - 2))
        ids.append(endTokenID)
        let length = ids.count
        ids.append(contentsOf: repeatElement(0, count: contextLength - length))
        let endIndex = ids.firstIndex(of: endTokenID) ?? length - 1
        return TokenizedText(ids: ids, length: length, endIndex: endIndex)
    }

    /// A batch of texts as one row-major `[B, T]` id array with the pooling positions.
    public func tokenize(_ texts: [String], contextLength: Int = defaultContextLength) throws -> TokenBatch {
        var ids: [Int32] = []
        ids.reserveCapacity(texts.count * contextLength)
        var endIndices: [Int] = []
        endIndices.reserveCapacity(texts.count)
        for text in texts {
            let row = try tokenize(text, contextLength: contextLength)
            ids.append(contentsOf: row.ids)
            endIndices.append(row.endIndex)
        }
        return TokenBatch(ids: ids, batchSize: texts.count, contextLength: contextLength, endIndices: endIndices)
    }

    /// The text that `ids` stand for. Start and end tokens are dropped; `</w>` becomes a
    /// space. Cleaning is lossy, so this is the lower-cased, whitespace-collapsed text.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id != startTokenID && id != endTokenID {
            guard id >= 0, Int(id) < vocabulary.tokens.count else { continue }
            for character in vocabulary.tokens[Int(id)] {
                if let byte = ByteEncoder.byte(for: character) { bytes.append(byte) }
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.replacingOccurrences(of: "</w>", with: " ").trimmingCharacters(in: .whitespaces)
    }

    /// Byte-pair encodes one pre-split piece (one word, digit or punctuation run).
    func encodePiece(_ piece: String) -> [Int32] {
        cacheLock.lock()
        let cached = cache[piece]
        cacheLock.unlock()
        if let cached { return cached }

        let bytes = Array(piece.utf8)
        guard let last = bytes.last else { return [] }
        var word = bytes.dropLast().map { vocabulary.byteIDs[Int($0)] }
        word.append(vocabulary.byteEndIDs[Int(last)])
        applyMerges(&word)

        cacheLock.lock()
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[piece] = word
        cacheLock.unlock()
        return word
    }

    /// Repeatedly joins the adjacent pair with the lowest merge rank, every occurrence left
    /// to right, until no pair has a merge (`bpe()` in `simple_tokenizer.py`).
    private func applyMerges(_ word: inout [Int32]) {
        let merges = vocabulary.merges
        while word.count > 1 {
            var best: BPEVocabulary.Merge?
            var bestKey: UInt64 = 0
            for index in 0..<(word.count - 1) {
                let key = Self.pairKey(word[index], word[index + 1])
                if let merge = merges[key], merge.rank < (best?.rank ?? .max) {
                    best = merge
                    bestKey = key
                }
            }
            guard let best else { return }
            var merged: [Int32] = []
            merged.reserveCapacity(word.count)
            var index = 0
            while index < word.count {
                if index + 1 < word.count && Self.pairKey(word[index], word[index + 1]) == bestKey {
                    merged.append(best.merged)
                    index += 2
                } else {
                    merged.append(word[index])
                    index += 1
                }
            }
            word = merged
        }
    }

    @inline(__always)
    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Splits raw text around literal special tokens (before cleaning, as Hugging Face
    /// matches its added tokens): `"a<|endoftext|>b"` → `("a", nil), ("", "<|endoftext|>"), ("b", nil)`.
    static func splitSpecialTokens(_ text: String) -> [(text: Substring, special: String?)] {
        guard text.contains("<|") else { return [(text[...], nil)] }
        var result: [(text: Substring, special: String?)] = []
        var segmentStart = text.startIndex
        var searchStart = text.startIndex
        while let open = text.range(of: "<|", range: searchStart..<text.endIndex) {
            let tail = text[open.lowerBound...]
            if let special = [BPEVocabulary.startToken, BPEVocabulary.endToken].first(where: { tail.hasPrefix($0) }) {
                result.append((text[segmentStart..<open.lowerBound], nil))
                result.append(("", special))
                segmentStart = text.index(open.lowerBound, offsetBy: special.count)
                searchStart = segmentStart
            } else {
                searchStart = open.upperBound
            }
        }
        result.append((text[segmentStart...], nil))
        return result
    }
}
