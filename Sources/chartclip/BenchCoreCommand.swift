import ArgumentParser
import ChartCLIPBench
import ChartCLIPTensor
import Foundation

/// `chartclip bench core`: a ViT-like block forward + backward against this machine's
/// sgemm peak, and fused against composite attention.
struct BenchCoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "Transformer block and attention kernel speed.")

    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Measured runs; the median is reported.") var runs = 10
    @Flag(help: "Print the figures as one JSON object.") var json = false
    @Flag(help: "Also time linear layers of the clip-small shapes.") var shapes = false

    func run() throws {
        if let threads { ComputeThreads.configure(count: threads) }
        if shapes {
            for line in CoreBenchmark.linearShapes(runs: runs) { print(line) }
            return
        }
        var bench = CoreBenchmark()
        bench.runs = runs
        let report = bench.run()
        try printReport(report, json: json) { bench.describe(report) }
    }
}
