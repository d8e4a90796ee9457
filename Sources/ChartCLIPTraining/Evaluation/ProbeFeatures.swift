import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor

/// The frozen image features a linear probe is fitted on.
public enum ProbeFeatures: String, Codable, Sendable, CaseIterable {
    /// The L2-normalised image embeddings `[E]`, the space zero-shot classification reads.
    case embedding
    /// The class token after `ln_post`, before the projection `[D]`: the features CLIP's
    /// own linear probes of ViTs read (Radford et al., 2021, appendix A.3).
    case pooled
    /// The class tokens after `ln_post` of the last four blocks, concatenated `[4D]` (all
    /// blocks when the tower has fewer): DINO's linear evaluation of ViTs (Caron et al., 2021).
    case lastFourBlocks = "last_4_blocks"

    /// What the report calls them.
    public var description: String {
        switch self {
        case .embedding: "normalised image embeddings"
        case .pooled: "class token before the projection"
        case .lastFourBlocks: "class tokens of the last four blocks"
        }
    }

    /// `[N][F]` features of every pair's image, in batches with no tape.
    public func compute(model: CLIPModel, data: PairData, batchSize: Int = 64, progress: ProgressBar? = nil) throws -> [[Float]] {
        if self == .embedding { return try ImageEmbeddings.compute(model: model, data: data, batchSize: batchSize, progress: progress) }
        let blocks = self == .pooled ? 1 : 4
        return try ImageEmbeddings.compute(data: data, batchSize: batchSize, progress: progress) { images in
            Tensor.concatenate(model.visual.classTokens(images, lastBlocks: blocks), axis: 1)
        }
    }
}
