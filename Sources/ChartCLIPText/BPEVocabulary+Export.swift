import ChartCLIPSupport
import Foundation

extension BPEVocabulary {
    /// The merge rules in rank order, as `(left, right)` token strings.
    public var mergePairs: [(String, String)] {
        merges.sorted { $0.value.rank < $1.value.rank }.map { key, _ in
            (tokens[Int(key >> 32)], tokens[Int(key & 0xFFFF_FFFF)])
        }
    }

    /// Hugging Face's `vocab.json`: every token and its id, listed by id, so that
    /// `loadHuggingFace` and transformers' `CLIPTokenizer` read the same vocabulary back.
    public func huggingFaceVocabularyJSON() -> Data {
        let lines = ids.sorted { $0.value < $1.value }.map { "\(JSONText.quoted($0.key)): \($0.value)" }
        return Data(("{\n" + lines.joined(separator: ",\n") + "\n}\n").utf8)
    }

    /// Hugging Face's `merges.txt`: a `#version` line, then one merge `left right` per line in
    /// rank order.
    public func huggingFaceMergesText() -> Data {
        Data(((["#version: 0.2"] + mergePairs.map { "\($0.0) \($0.1)" }).joined(separator: "\n") + "\n").utf8)
    }
}
