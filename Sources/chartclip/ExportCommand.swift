import ArgumentParser
import ChartCLIPLabels
import ChartCLIPPredictor
import ChartCLIPSupport
import ChartCLIPTraining
import Foundation

/// `chartclip export`: checkpoint → thin predictor.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a checkpoint as a thin predictor (image tower, class embeddings, calibration).")

    @Option(help: "ChartCLIP checkpoint (.h5).") var checkpoint: String
    @Option(help: "Predictor file to write (.h5).") var out: String
    @Option(help: "Model name written into prediction files.") var name = "chartclip"
    @Option(help: "Candles per chart when predicting from candles (default: the run's, else 96).") var window: Int?
    @Option(help: "Candle interval in minutes.") var interval = 15
    @OptionGroup(title: "Overlays (default: the run's; any of these flags replaces them all)") var overlays: OverlayOptions
    @Option(help: "Class prototypes: ensemble (one per class) or cells (one per (setup, phase) cell, summed per class).")
    var pooling: CaptionCellEmbeddings.Pooling = .standard
    @Option(help: "The training dataset: its period is recorded, its val split calibrates confidence, and its test (and holdout) split checks it.") var dataset: String?
    @Flag(help: "Replace --out when it exists (or is the checkpoint itself).") var force = false
    @Flag(help: "No progress bars.") var quiet = false

    func run() throws {
        try OutputGuard.check(URL(fileURLWithPath: out), inputs: [URL(fileURLWithPath: checkpoint)], force: force, what: "predictor")
        let data = try dataset.map { try VisionDataset.load(URL(fileURLWithPath: $0)) }
        let file = try PredictorExport.export(
            checkpoint: URL(fileURLWithPath: checkpoint), output: URL(fileURLWithPath: out), name: name, window: window,
            intervalMinutes: interval, overlays: overlays.given, pooling: pooling, dataset: data, progress: !quiet)
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print("wrote \(out): \(file.info.label), \(file.info.chartWindow)-candle charts\(file.info.overlays.description), "
            + "\(file.setupNames.count) setup and \(file.phaseNames.count) phase classes, "
            + "\(file.visualParameters.values.reduce(0) { $0 + $1.count }) image-tower parameters, \(size / 1024) KiB")
        if let data {
            let (checks, files) = try ConfidenceCheck.writeChecks(predictorURL: URL(fileURLWithPath: out), dataset: data)
            for check in checks { print("confidence on \(check.summary)") }
            if !files.isEmpty { print("wrote \(files.map(\.path).joined(separator: ", "))") }
        }
    }
}
