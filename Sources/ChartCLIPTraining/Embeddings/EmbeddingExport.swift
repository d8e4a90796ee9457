import ChartCLIPFiles
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Image and text embeddings of a whole dataset in HDF5 (`data/vision_ai/embeddings/`):
///
/// - `/image_embeddings` `[N, E]` and `/text_embeddings` `[N, E]` (float32, L2-normalised);
/// - `/filepath`, `/symbol`, `/timestamp`, `/setup`, `/setup_direction`, `/phase`,
///   `/caption`, `/split`: one string per row (h5py: `f["setup"].asstr()[...]`);
/// - root attributes `format` = `chartclip-embeddings`, `format_version` = 1, `checkpoint`,
///   `model_config`, `matmul_precision` (how the products ran: `float32` or `bfloat16`).
public enum EmbeddingExport {
    /// Embeds every row of `dataset` with `checkpointURL` and writes `output` atomically.
    @discardableResult
    public static func write(checkpointURL: URL, dataset: VisionDataset, output: URL, progress: Bool = true) throws -> Int {
        let model = try Checkpoint.load(from: checkpointURL).makeModel()
        model.eval()
        let data = try PairData(rows: dataset.rows, config: model.config, tokenizer: try CLIPTokenizer(), progress: progress)
        let bar = ProgressBar(total: data.count, label: "embedding", enabled: progress)
        let images = try ImageEmbeddings.compute(model: model, data: data, progress: bar)
        let texts = ImageEmbeddings.captions(model: model, data: data)
        let e = model.config.embedDim, n = data.count
        let rows = dataset.rows
        try HDF5File.write(to: output) { file in
            try file.setFormat("chartclip-embeddings", version: 1)
            try file.setAttribute("checkpoint", .string(checkpointURL.path))
            try file.setAttribute("model_config", .string(model.config.jsonString()))
            try file.setAttribute("matmul_precision", .string(Gemm.precision.rawValue))
            try file.write(images.flatMap { $0 }, shape: [n, e], to: "/image_embeddings")
            try file.write(texts.flatMap { $0 }, shape: [n, e], to: "/text_embeddings")
            try file.write(rows.map(\.filepath), to: "/filepath")
            try file.write(rows.map(\.symbol), to: "/symbol")
            try file.write(rows.map(\.timestamp), to: "/timestamp")
            try file.write(rows.map(\.label.setupType.rawValue), to: "/setup")
            try file.write(rows.map(\.label.setupDirection.rawValue), to: "/setup_direction")
            try file.write(rows.map(\.label.phaseType.rawValue), to: "/phase")
            try file.write(rows.map(\.caption), to: "/caption")
            try file.write(rows.map(\.split.rawValue), to: "/split")
        }
        return n
    }
}
