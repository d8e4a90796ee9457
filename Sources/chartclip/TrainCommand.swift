import ArgumentParser
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation

/// `chartclip train`: run (or resume) a training experiment.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a CLIP model from an experiment config (YAML).")

    @Option(help: "Experiment config, e.g. configs/experiments/smoke.yaml.") var config: String?
    @Option(help: "Resume an interrupted run folder (experiments/NAME/RUN_ID).") var resume: String?
    @Option(help: "Matrix products, replacing the config's matmul_precision: float32, bfloat16 (needs AVX512-BF16) or auto.")
    var precision: MatmulPrecisionRequest?
    @Flag(help: "No progress bars.") var quiet = false

    func validate() throws {
        if (config == nil) == (resume == nil) { throw ValidationError("give --config for a new run or --resume RUN_DIR") }
    }

    func run() async throws {
        let run: TrainingRun
        if let resume {
            run = try TrainingRun.resume(URL(fileURLWithPath: resume), precision: precision)
        } else {
            var experiment = try ExperimentConfig.load(URL(fileURLWithPath: config!))
            if let precision { experiment.matmulPrecision = precision }
            run = try TrainingRun.start(experiment)
        }
        run.showProgress = !quiet
        print("run folder: \(run.directory.url.path)")
        let summary = try await run.run()
        if let reason = summary.stopReason {
            print("stopped at step \(summary.steps): \(reason)")
            throw ExitCode(2)
        }
        var line = "finished \(summary.steps) steps"
        if let accuracy = summary.validationAccuracy { line += String(format: ", validation zero-shot setup accuracy %.3f", accuracy) }
        print(line)
        print("checkpoints: \(run.directory.latest.path), \(run.directory.best.path)")
        if let dataset = summary.dataset, FileManager.default.fileExists(atPath: run.directory.best.path) {
            var evaluator = Evaluator()
            evaluator.showProgress = !quiet
            evaluator.runDirectory = run.directory.url
            let results = try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: run.directory.report)
            print(String(format: "test zero-shot setup type accuracy %.3f; setup and direction %.3f (balanced %.3f); report: %@",
                results.zeroShotSetupType.accuracy, results.zeroShotSetup.accuracy, results.zeroShotSetup.balancedAccuracy,
                run.directory.report.appendingPathComponent("report.md").path))
        }
    }
}
