import ArgumentParser
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPTraining
import ChartCLIPSupport
import Foundation

/// `chartclip embed`: L2-normalised embeddings of images and texts from a checkpoint.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed images and texts (printed), or a whole dataset into an HDF5 file.")

    @Option(help: "ChartCLIP checkpoint (.h5).") var checkpoint: String
    @Option(name: .customLong("image"), help: "A PNG to embed (repeatable).") var images: [String] = []
    @Option(name: .customLong("text"), help: "A text to embed (repeatable).") var texts: [String] = []
    @Flag(help: "Print JSON: {\"image_embeddings\": [[…]], \"text_embeddings\": [[…]]}.") var json = false
    @Option(help: "A prepared dataset to embed whole (with --out).") var dataset: String?
    @Option(help: "HDF5 file for the dataset's embeddings, e.g. data/vision_ai/embeddings/NAME.h5.") var out: String?
    @Flag(help: "No progress bars.") var quiet = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if dataset != nil {
            if out == nil { throw ValidationError("--dataset needs --out FILE.h5") }
        } else if images.isEmpty && texts.isEmpty {
            throw ValidationError("give --image/--text, or --dataset with --out")
        }
    }

    func run() throws {
        try compute.run { try embed() }
    }

    private func embed() throws {
        if let dataset, let out {
            let n = try EmbeddingExport.write(
                checkpointURL: URL(fileURLWithPath: checkpoint), dataset: try VisionDataset.load(URL(fileURLWithPath: dataset)),
                output: URL(fileURLWithPath: out), progress: !quiet)
            print("wrote \(n) image and text embeddings to \(out)")
            return
        }
        let embedder = try Embedder(checkpoint: URL(fileURLWithPath: checkpoint))
        let image = try embedder.embedImages(images.map { URL(fileURLWithPath: $0) })
        let text = try embedder.embedTexts(texts)
        if json {
            let object: [String: [[Float]]] = ["image_embeddings": image, "text_embeddings": text]
            let encoder = JSONEncoder.chartCLIP()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(object), as: UTF8.self))
        } else {
            for (path, row) in zip(images, image) { print("\(path): \(row.prefix(6).map { String(format: "%.4f", $0) }.joined(separator: " ")) …") }
            for (t, row) in zip(texts, text) { print("\"\(t)\": \(row.prefix(6).map { String(format: "%.4f", $0) }.joined(separator: " ")) …") }
            if !image.isEmpty && !text.isEmpty {
                print("cosine similarity (rows: images, columns: texts):")
                for (path, i) in zip(images, image) {
                    let sims = text.map { t in zip(i, t).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
                    print("  \(URL(fileURLWithPath: path).lastPathComponent): \(sims.map { String(format: "%.3f", $0) }.joined(separator: " "))")
                }
            }
        }
    }
}
