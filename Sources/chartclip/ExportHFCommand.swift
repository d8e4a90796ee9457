import ArgumentParser
import ChartCLIPModels
import ChartCLIPSupport
import Foundation

/// `chartclip export-hf`: a ChartCLIP checkpoint → a Hugging Face CLIP folder.
struct ExportHFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Write a checkpoint as a Hugging Face CLIPModel folder (config.json, model.safetensors, tokenizer and preprocessor files) for transformers' from_pretrained.")

    @Option(help: "Checkpoint to export (.h5, e.g. experiments/<run>/best.h5).") var checkpoint: String
    @Option(help: "Folder to write (created if missing; must be empty).") var out: String
    @Flag(help: "Write into --out even when it holds files (those of the export are replaced).") var force = false

    func run() throws {
        let url = URL(fileURLWithPath: checkpoint)
        try OutputGuard.check(URL(fileURLWithPath: out), inputs: [url], force: force, what: "export")
        let loaded = try Checkpoint.load(from: url)
        let tokenizer = try Embedder.tokenizer(forCheckpoint: url)
        let summary = try HuggingFaceExport.export(loaded, tokenizer: tokenizer, to: URL(fileURLWithPath: out))
        for file in summary.files { print("wrote \(file.path)") }
        print("\(summary.tensorCount) tensors, \(summary.valueCount) values; load it with transformers.CLIPModel.from_pretrained(\"\(out)\")")
    }
}
