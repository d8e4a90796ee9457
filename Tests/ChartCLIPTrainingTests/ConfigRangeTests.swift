import ChartCLIPTestSupport
import ChartCLIPTraining
import Foundation
import Testing

/// Every experiment field out of its range is refused when the config is read, naming the
/// file, the field and the value, before a run folder exists (these used to trap mid-run or
/// pass silently).
@Suite struct ConfigRangeTests {
    static let base = "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 10\n"
    static let synthetic = "name: x\nmodel: clip-tiny\nbatch_size: 8\nsteps: 10\n"

    /// A field of the training and its section, on a config with a prepared dataset.
    static let trainingCases = [
        ("checkpoint_every: 0\n", "checkpoint_every"),
        ("checkpoint_every: -5\n", "checkpoint_every"),
        ("seed: -1\n", "seed"),
        ("eval_every: -1\n", "eval_every"),
        ("threads: 0\n", "threads"),
        ("threads: -2\n", "threads"),
        ("schedule: {warmup_steps: -4}\n", "schedule.warmup_steps"),
        ("optimizer: {weight_decay: -5}\n", "optimizer.weight_decay"),
        ("optimizer: {lr: .inf}\n", "optimizer.lr"),
        ("optimizer: {lr: .nan}\n", "optimizer.lr"),
        ("optimizer: {beta1: 1}\n", "optimizer.beta1"),
        ("optimizer: {eps: 0}\n", "optimizer.eps"),
        ("grad_clip: .inf\n", "grad_clip"),
    ].map { (base + $0.0, $0.1) }

    /// A field of a data section, on a config without a prepared dataset.
    static let dataCases = [
        ("synthetic: {symbols: []}\n", "synthetic.symbols"),
        ("synthetic: {bars: 50, window: 96}\n", "synthetic.bars"),
        ("synthetic: {window: 4}\n", "synthetic.window"),
        ("synthetic: {stride: 0}\n", "synthetic.stride"),
        ("synthetic: {seed: -3}\n", "synthetic.seed"),
        ("synthetic: {val_fraction: 0.6, test_fraction: 0.5}\n", "synthetic.test_fraction"),
        ("recorded: {files: []}\n", "recorded.files"),
        ("recorded: {files: [a.csv], window: 100000}\n", "recorded.window"),
        ("recorded: {files: [a.csv], stride: -1}\n", "recorded.stride"),
    ].map { (synthetic + $0.0, $0.1) }

    @Test(arguments: trainingCases + dataCases)
    func aFieldOutOfRangeIsNamed(yaml: String, field: String) {
        #expect {
            try ExperimentConfig.decode(yaml: yaml, source: "bad.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.contains("'\(field)'") && text.contains("bad.yaml")
        }
    }

    @Test func theDefaultsAndEveryShippedConfigStillPass() throws {
        _ = try ExperimentConfig.decode(yaml: Self.base, source: "ok.yaml")
        _ = try ExperimentConfig.decode(yaml: Self.synthetic + "synthetic: {bars: 500, window: 32}\n", source: "ok.yaml")
        let folder = Fixtures.repositoryRoot.appendingPathComponent("configs/experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files { _ = try ExperimentConfig.load(folder.appendingPathComponent(file)) }
    }
}

/// Calibration bins of confidences that are not numbers: no trap, counted as no confidence.
@Suite struct CalibrationBinTests {
    @Test func aNaNConfidenceDoesNotTrap() {
        let c = Calibration(confidence: [.nan, 0.95, .infinity, -3, 0.5], correct: [true, true, false, false, true])
        #expect(c.bins.map(\.count).reduce(0, +) == 5)
        #expect(c.expectedCalibrationError.isFinite)
    }
}
