import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPSupport
import Foundation

/// How the charts of a training-data folder are drawn, kept in `chart_settings.json` beside
/// them: one folder holds one kind of chart, so a dataset prepared from it never mixes sizes,
/// windows or overlays.
public struct TrainingDataSettings: Codable, Equatable, Sendable {
    /// Chart side in pixels.
    public var chartSize: Int
    /// Candles per chart.
    public var window: Int
    /// What is drawn over the candles (`ChartOverlays.description`; empty for none).
    public var overlays: String
    /// Moving averages drawn on the charts.
    public var movingAverages: [Int]

    enum CodingKeys: String, CodingKey {
        case chartSize = "chart_size", window, overlays, movingAverages = "moving_averages"
    }

    /// The settings of `options`.
    public init(_ options: ScanOptions) {
        chartSize = options.chartSize
        window = options.window
        overlays = options.overlays.key.isEmpty ? "" : options.overlays.description
        movingAverages = options.movingAverages
    }

    /// The file's name inside a training-data folder.
    public static let fileName = "chart_settings.json"

    /// A sentence for messages: `64-pixel charts of 96 candles with EMA 20/50`.
    public var summary: String {
        "\(chartSize)-pixel charts of \(window) candles"
            + (overlays.isEmpty ? "" : " with \(overlays)")
            + (movingAverages.isEmpty ? "" : ", moving averages \(movingAverages.map(String.init).joined(separator: "/"))")
    }

    /// Records `self` in `folder`, or checks it against what is recorded: a scan with other
    /// settings is refused, naming both. A folder of charts from before the file existed is
    /// checked by the size of one of its charts, then recorded.
    public func claim(_ folder: URL) throws {
        let url = folder.appendingPathComponent(Self.fileName)
        let hint = "scan into another folder (--out), or use the folder's settings"
        if let data = FileManager.default.contents(atPath: url.path) {
            let recorded: TrainingDataSettings
            do {
                recorded = try JSONDecoder().decode(TrainingDataSettings.self, from: data)
            } catch {
                throw ChartCLIPError(
                    "not a chart settings file: \(error.localizedDescription)", at: url.path,
                    hint: "it records how this folder's charts are drawn; restore it, or delete it to record this scan's")
            }
            guard recorded == self else {
                throw ChartCLIPError(
                    "this folder holds \(recorded.summary); this scan draws \(summary), and a dataset prepared from both would mix them",
                    at: folder.path, hint: hint)
            }
            return
        }
        let existingChart = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?
            .first { !$0.hasPrefix(".") && $0.hasSuffix(TrainingSampleName.chartSuffix) }
            .map { folder.appendingPathComponent($0) }
        if let chart = existingChart, let size = PNGCodec.dimensions(of: chart), size != (chartSize, chartSize) {
            throw ChartCLIPError(
                "this folder holds \(size.width)x\(size.height) charts (\(chart.lastPathComponent)); this scan draws \(chartSize)-pixel charts",
                at: folder.path, hint: hint)
        }
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}
