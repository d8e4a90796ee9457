import ArgumentParser
import ChartCLIPBench
import ChartCLIPModels
import ChartCLIPTensor
import Foundation

/// `chartclip bench train`: training throughput (forward + backward + AdamW).
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput, images/s (forward + backward + AdamW).")

    @Option(help: "Model config name or JSON file.") var model = "clip-tiny"
    @Option(help: "Pairs per step.") var batch = 64
    @OptionGroup var compute: ComputeOptions
    @Option(help: "Measured steps; the median is reported.") var steps = 20
    @Flag(help: "Print the figures as one JSON object.") var json = false

    func run() throws {
        try compute.run { try measure() }
    }

    private func measure() throws {
        var bench = TrainBenchmark(config: try CLIPConfig.load(model))
        bench.batch = batch
        bench.steps = steps
        let report = try bench.run(name: model)
        try printReport(report, json: json) { bench.describe(report) }
    }
}
