import ArgumentParser
import ChartCLIPLabels
import ChartCLIPPredictor
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
    @Option(help: "EMA span drawn on the charts; repeat for several (default: the run's `ema`).") var ema: [Int] = []
    @Option(help: "Price-channel length drawn on the charts (default: the run's `channel`).") var channel: Int?
    @Option(help: "ADX period drawn in the charts' ADX panel (default: the run's `adx`).") var adx: Int?
    @Option(help: "Class prototypes: ensemble (one per class) or cells (one per (setup, phase) cell, summed per class).")
    var pooling: CaptionCellEmbeddings.Pooling = .standard
    @Option(help: "The training dataset: its period is recorded and its val split calibrates confidence.") var dataset: String?
    @Flag(help: "No progress bars.") var quiet = false

    func run() throws {
        let data = try dataset.map { try VisionDataset.load(URL(fileURLWithPath: $0)) }
        let file = try PredictorExport.export(
            checkpoint: URL(fileURLWithPath: checkpoint), output: URL(fileURLWithPath: out), name: name, window: window,
            intervalMinutes: interval, ema: ema.isEmpty ? nil : ema, channel: channel, adx: adx,
            pooling: pooling, dataset: data, progress: !quiet)
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        let lines = (file.info.chartEMA.map { " with EMA " + $0.map(String.init).joined(separator: "/") } ?? "")
            + (file.info.chartChannel.map { ", \($0)-candle channel" } ?? "")
            + (file.info.chartADX.map { ", ADX\($0) panel" } ?? "")
        print("wrote \(out): \(file.info.label), \(file.info.chartWindow)-candle charts\(lines), "
            + "\(file.setupNames.count) setup and \(file.phaseNames.count) phase classes, "
            + "\(file.visualParameters.values.reduce(0) { $0 + $1.count }) image-tower parameters, \(size / 1024) KiB")
    }
}
