import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// L2-normalised image and text embeddings from a checkpoint, in batches, without
/// recording gradients.
public final class Embedder {
    /// The model, in evaluation mode.
    public let model: CLIPModel
    /// The tokenizer (CLIP's vocabulary, or the files that came with an imported model).
    public let tokenizer: CLIPTokenizer
    /// Images per forward pass.
    public var batchSize = 32

    /// Wraps a model.
    public init(model: CLIPModel, tokenizer: CLIPTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
        model.eval()
    }

    /// Loads a checkpoint; uses `vocab.json`/`merges.txt` from `<checkpoint>-tokenizer/`
    /// when `chartclip import-hf` left them there, else the embedded CLIP vocabulary.
    public convenience init(checkpoint url: URL) throws {
        let model = try Checkpoint.load(from: url).makeModel()
        self.init(model: model, tokenizer: try Self.tokenizer(forCheckpoint: url))
    }

    /// The tokenizer of checkpoint `url`: `vocab.json`/`merges.txt` from its tokenizer folder
    /// when `chartclip import-hf` left them there, else the embedded CLIP vocabulary.
    public static func tokenizer(forCheckpoint url: URL) throws -> CLIPTokenizer {
        let folder = tokenizerFolder(for: url)
        let vocab = folder.appendingPathComponent("vocab.json"), merges = folder.appendingPathComponent("merges.txt")
        if FileManager.default.fileExists(atPath: vocab.path) && FileManager.default.fileExists(atPath: merges.path) {
            return try CLIPTokenizer(vocabularyFile: vocab, mergesFile: merges)
        }
        return try CLIPTokenizer()
    }

    /// Where `import-hf` puts the tokenizer files of checkpoint `url`.
    public static func tokenizerFolder(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("tokenizer")
    }

    /// `[N, E]` embeddings of PNG files, row-major.
    public func embedImages(_ urls: [URL], progress: ProgressBar? = nil) throws -> [[Float]] {
        var result: [[Float]] = []
        let size = model.config.visionConfig.imageSize
        for start in stride(from: 0, to: urls.count, by: batchSize) {
            let chunk = Array(urls[start..<min(start + batchSize, urls.count)])
            let images = try ImageBatch.load(chunk, size: size)
            let features = withoutGradients { model.encodeImage(images, normalized: true) }
            result += features.rowArrays
            progress?.update(result.count)
        }
        return result
    }

    /// `[N, E]` embeddings of texts.
    public func embedTexts(_ texts: [String]) throws -> [[Float]] {
        var result: [[Float]] = []
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let chunk = Array(texts[start..<min(start + batchSize, texts.count)])
            let tokens = try tokenizer.tokenize(chunk, contextLength: model.config.textConfig.contextLength)
            let features = withoutGradients { model.encodeText(tokens, normalized: true) }
            result += features.rowArrays
        }
        return result
    }
}
