import ArgumentParser
import ChartCLIPBench
import ChartCLIPTensor
import Foundation

/// `chartclip bench core`: a ViT-like block forward + backward against this machine's
/// sgemm peak, and fused against composite attention.
struct BenchCoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "Transformer block and attention kernel speed.")

    @OptionGroup var compute: ComputeOptions
    @Option(help: "Measured runs; the median is reported.") var runs = 10
    @Flag(help: "Print the figures as one JSON object.") var json = false
    @Flag(help: "Time the block's linear layers alone instead (QKV, output, MLP up and down, at --batch × --tokens rows and --width).") var shapes = false
    @Option(help: "Block shape: batch.") var batch = 64
    @Option(help: "Block shape: tokens (65 = an 8×8 patch grid and the class token).") var tokens = 65
    @Option(help: "Block shape: width.") var width = 256
    @Option(help: "Block shape: attention heads (must divide the width).") var heads = 4

    func validate() throws {
        guard batch > 0, tokens > 0, width > 0, heads > 0, width % heads == 0 else {
            throw ValidationError("--batch, --tokens, --width and --heads must be positive and --heads must divide --width (got width \(width), heads \(heads))")
        }
    }

    func run() throws {
        try compute.run { try measure() }
    }

    private func measure() throws {
        if shapes {
            for line in CoreBenchmark.linearShapes(rows: batch * tokens, width: width, runs: runs) { print(line) }
            return
        }
        var bench = CoreBenchmark()
        bench.runs = runs
        (bench.batch, bench.tokens, bench.width, bench.heads) = (batch, tokens, width, heads)
        let report = bench.run()
        try printReport(report, json: json) { bench.describe(report) }
    }
}
