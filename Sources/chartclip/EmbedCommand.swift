import ArgumentParser
import ChartCLIPModels
import Foundation

/// `chartclip embed`: L2-normalised embeddings of images and texts from a checkpoint.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print L2-normalised image and text embeddings from a checkpoint.")

    @Option(help: "ChartCLIP checkpoint (.h5).") var checkpoint: String
    @Option(name: .customLong("image"), help: "A PNG to embed (repeatable).") var images: [String] = []
    @Option(name: .customLong("text"), help: "A text to embed (repeatable).") var texts: [String] = []
    @Flag(help: "Print JSON: {\"image_embeddings\": [[…]], \"text_embeddings\": [[…]]}.") var json = false

    func validate() throws {
        if images.isEmpty && texts.isEmpty { throw ValidationError("give at least one --image or --text") }
    }

    func run() throws {
        let embedder = try Embedder(checkpoint: URL(fileURLWithPath: checkpoint))
        let image = try embedder.embedImages(images.map { URL(fileURLWithPath: $0) })
        let text = try embedder.embedTexts(texts)
        if json {
            let object: [String: [[Float]]] = ["image_embeddings": image, "text_embeddings": text]
            let encoder = JSONEncoder()
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
