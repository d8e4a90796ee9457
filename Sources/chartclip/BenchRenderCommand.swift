import ArgumentParser
import ChartCLIPCharts
import ChartCLIPImage
import Foundation

/// `chartclip bench render`: training-chart throughput (render + PNG encode) on one thread
/// and on all threads.
struct RenderBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Charts per second at 224x224: render plus PNG encoding, one thread and all threads.",
        discussion: """
            Renders --charts windows of --window candles of a seeded random walk and encodes each \
            to PNG in memory (--write-to adds atomic file writes). mplfinance needs about one \
            second per chart. Build with -c release for meaningful numbers. Charts per CPU-second \
            is what one free core reaches; wall-clock rates drop when other work shares the CPU.
            """)

    @Option(help: "Charts per measurement.")
    var charts: Int = 3000

    @Option(help: "Chart size in pixels (square).")
    var size: Int = 224

    @Option(help: "Candles per chart.")
    var window: Int = 96

    @Option(help: "Threads for the parallel measurement (0 = one per core).")
    var threads: Int = 0

    @Flag(help: "Use libpng's default compression instead of the fast setting.")
    var standardCompression = false

    @Option(help: "Also write every chart atomically into this folder (measures the disk too).")
    var writeTo: String?

    func run() throws {
        let compression: PNGCodec.Compression = standardCompression ? .standard : .fast
        let folder = writeTo.map { URL(fileURLWithPath: $0) }
        print("render \(size)x\(size), \(window) candles, PNG \(standardCompression ? "standard" : "fast")"
            + (folder.map { ", files in \($0.path)" } ?? ", in memory"))
        for workers in [1, threads] {
            let result = try RenderBenchmark.run(
                options: .training(size: size), window: window, charts: charts, threads: workers,
                compression: compression, writeTo: folder)
            print(String(
                format: "  %2d thread(s): %7.0f charts/s wall, %7.0f charts per CPU-second  (%d charts in %.2f s, %.1f KB per PNG)",
                result.threads, result.chartsPerSecond, result.chartsPerCPUSecond, result.charts, result.seconds,
                result.meanPNGBytes / 1024))
        }
    }
}
