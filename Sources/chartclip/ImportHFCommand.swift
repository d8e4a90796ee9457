import ArgumentParser
import ChartCLIPModels
import ChartCLIPSupport
import Foundation

/// `chartclip import-hf`: a Hugging Face CLIP folder → a ChartCLIP checkpoint.
struct ImportHFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-hf",
        abstract: "Convert a Hugging Face CLIP folder (config.json, model.safetensors, vocab.json, merges.txt) into a ChartCLIP checkpoint.")

    @Option(help: "Folder written by transformers' save_pretrained.") var modelDir: String
    @Option(help: "Checkpoint to write (.h5); tokenizer files go to <name>.tokenizer/.") var out: String
    @Flag(help: "Replace --out when it exists.") var force = false

    func run() throws {
        try OutputGuard.check(URL(fileURLWithPath: out), force: force, what: "checkpoint")
        let result = try HuggingFaceImport.convert(directory: URL(fileURLWithPath: modelDir))
        let url = URL(fileURLWithPath: out)
        try result.checkpoint.save(to: url)
        if !result.tokenizerFiles.isEmpty {
            let folder = Embedder.tokenizerFolder(for: url)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in result.tokenizerFiles {
                let target = folder.appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: file, to: target)
            }
            print("tokenizer files: \(folder.path)")
        }
        let count = result.checkpoint.parameters.values.reduce(0) { $0 + $1.count }
        print("wrote \(url.path): \(result.checkpoint.parameters.count) tensors, \(count) parameters")
    }
}
