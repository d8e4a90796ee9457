import ArgumentParser
import ChartCLIPBench
import ChartCLIPModels
import ChartCLIPTensor
import Foundation

/// `chartclip bench encode`: image-encoder forward throughput.
struct BenchEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Image-encoder forward throughput (images/s).")

    @Option(help: "Model config name or JSON file.") var model = "clip-vit-b-16"
    @Option(help: "Images per forward pass.") var batch = 8
    @OptionGroup var compute: ComputeOptions
    @Option(help: "Measured runs; the median is reported.") var runs = 10
    @Flag(help: "Print the figures as one JSON object.") var json = false

    func run() throws {
        try compute.run { try measure() }
    }

    private func measure() throws {
        var bench = EncodeBenchmark(config: try CLIPConfig.load(model))
        bench.batch = batch
        bench.runs = runs
        let report = bench.run(name: model)
        try printReport(report, json: json) { bench.describe(report) }
    }
}
