import ArgumentParser
import ChartCLIPLabels
import ChartCLIPTraining
import Foundation

/// `chartclip eval`: zero-shot, linear probe, retrieval and calibration report.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a checkpoint on a dataset split and write report.md, metrics.json and plots.")

    @Option(help: "ChartCLIP checkpoint (.h5).") var checkpoint: String
    @Option(help: "Prepared dataset folder (vision_dataset/) or its dataset.csv.") var dataset: String
    @Option(help: "Split to evaluate: train, val, test or holdout.") var split = "test"
    @Option(help: "Report folder.") var out: String
    @Option(name: .customLong("run"), help: "A run folder whose metrics.jsonl gives the loss curve.") var runFolder: String?
    @Option(help: "Zero-shot prototypes: 'ensemble' (one prompt ensemble per class) or 'cells' (one per (setup, phase) cell, probabilities summed per class).")
    var pooling: CaptionCellEmbeddings.Pooling = .standard
    @Option(help: "A label-stats --margins --charts file: also score apart the charts whose setup type holds and changes at each margin (default: the dataset folder's sharpness.csv, when it has one).")
    var sharpness: String?
    @Option(help: "Features the linear probe reads: 'embedding' (the normalised image embeddings), 'pooled' (the class token before the projection, CLIP's probe) or 'last_4_blocks' (the class tokens of the last four blocks, DINO's).")
    var probeFeatures: ProbeFeatures = .embedding
    @Option(help: "The most training charts the linear probe is fitted on; a larger training split is thinned evenly. 0 fits on the whole split.")
    var probeTrainingCharts = Evaluator().probeTrainingLimit
    @Flag(help: "No progress bars.") var quiet = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if probeTrainingCharts < 0 {
            throw ValidationError("--probe-training-charts is a number of charts, 0 or more (0: the whole training split); got \(probeTrainingCharts)")
        }
    }

    func run() throws {
        try compute.run { try evaluate() }
    }

    private func evaluate() throws {
        guard let chosen = DatasetSplit(rawValue: split) else {
            throw ValidationError("--split is one of train, val, test, holdout")
        }
        var evaluator = Evaluator()
        evaluator.split = chosen
        evaluator.pooling = pooling
        evaluator.probeFeatures = probeFeatures
        evaluator.probeTrainingLimit = probeTrainingCharts
        evaluator.showProgress = !quiet
        evaluator.runDirectory = runFolder.map { URL(fileURLWithPath: $0) }
        evaluator.sharpness = try sharpness.map { try ChartSharpness.load(URL(fileURLWithPath: $0)) }
        let results = try evaluator.evaluate(
            checkpointURL: URL(fileURLWithPath: checkpoint), dataset: try VisionDataset.load(URL(fileURLWithPath: dataset)),
            output: URL(fileURLWithPath: out))
        print(String(format: "zero-shot setup type accuracy %.3f (balanced %.3f); setup and direction %.3f (balanced %.3f); phase %.3f",
            results.zeroShotSetupType.accuracy, results.zeroShotSetupType.balancedAccuracy, results.zeroShotSetup.accuracy,
            results.zeroShotSetup.balancedAccuracy, results.zeroShotPhase.accuracy))
        if let m = results.zeroShotSetupTypeWithPrior {
            print(String(format: "zero-shot setup type with the training-label prior %.3f (balanced %.3f)", m.accuracy, m.balancedAccuracy))
        }
        if let probe = results.linearProbeSetup {
            print(String(format: "linear probe setup accuracy %.3f (balanced %.3f)", probe.accuracy, probe.balancedAccuracy))
        }
        for g in results.bySharpness ?? [] {
            let withPrior = g.zeroShotSetupTypeWithPrior.map { String(format: ", with the prior %.3f", $0.accuracy) } ?? ""
            print("charts whose \(g.name()): \(g.count)" + String(format: ", setup type %.3f", g.zeroShotSetupType.accuracy) + withPrior)
        }
        print("report: \(URL(fileURLWithPath: out).appendingPathComponent("report.md").path)")
    }
}

extension CaptionCellEmbeddings.Pooling: ExpressibleByArgument {}
extension ProbeFeatures: ExpressibleByArgument {}
