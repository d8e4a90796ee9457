import ChartCLIPImage
import ChartCLIPTestSupport
@testable import ChartCLIPTraining
import Foundation
import Testing

/// `chartclip runs`: run folders found, chained through `init_checkpoint`, tabulated and plotted.
@Suite struct RunComparisonTests {
    /// Writes `root/NAME/ID` with `config.yaml`, `run.json`, `metrics.jsonl` and, when given, the report's `metrics.json`.
    static func makeRun(
        _ root: URL, _ name: String, _ id: String, config: String, started: String, steps: ClosedRange<Int>,
        validations: [(Int, Double)] = [], report: String? = nil
    ) throws {
        let run = RunDirectory(root.appendingPathComponent(name).appendingPathComponent(id))
        try FileManager.default.createDirectory(at: run.checkpoints, withIntermediateDirectories: true)
        try config.write(to: run.config, atomically: true, encoding: .utf8)
        try #"{"started": "\#(started)", "code_version": "abc1234"}"#.write(to: run.runInfo, atomically: true, encoding: .utf8)
        var lines: [String] = []
        for step in steps {
            lines.append(#"{"step":\#(step),"loss":\#(Double(10 - step)),"images_per_s":\#(Double(100 + step)),"lr":0.001}"#)
            for (at, accuracy) in validations where at == step {
                lines.append(#"{"step":\#(step),"val_zero_shot_setup_accuracy":\#(accuracy),"val_zero_shot_phase_accuracy":0.9,"val_zero_shot_setup_type_prior_accuracy":\#(accuracy + 0.1),"elapsed_s":\#(Double(30 * step))}"#)
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: run.metrics, atomically: true, encoding: .utf8)
        if let report {
            try FileManager.default.createDirectory(at: run.report, withIntermediateDirectories: true)
            try report.write(to: run.report.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        }
    }

    /// Three runs continuing one another (best.h5, then latest.h5) and one damaged folder.
    static func makeExperiments() throws -> URL {
        let root = try Fixtures.temporaryDirectory("runs").appendingPathComponent("experiments")
        try makeRun(
            root, "a", "20260101_0000-0001", config: "name: a\nsteps: 4\n", started: "2026-01-01T00:00:00Z", steps: 1...4,
            validations: [(2, 0.5), (3, 0.4), (4, 0.5)],
            report: #"{"split": "test", "count": 10, "zeroShotSetup": {"accuracy": 0.5}, "zeroShotSetupTypeWithPrior": {"accuracy": 0.8}, "linearProbeSetupType": {"accuracy": 0.7}}"#)
        try makeRun(
            root, "b", "20260102_0000-0002", config: "name: b\nsteps: 6\ninit_checkpoint: experiments/a/20260101_0000-0001/checkpoints/best.h5\n",
            started: "2026-01-02T00:00:00Z", steps: 1...3)
        try makeRun(
            root, "c", "20260103_0000-0003", config: "name: c\nsteps: 2\ninit_checkpoint: /elsewhere/experiments/b/20260102_0000-0002/checkpoints/latest.h5\n",
            started: "2026-01-03T00:00:00Z", steps: 1...2)
        try makeRun(root, "d", "20260104_0000-0004", config: "[: no", started: "2026-01-04T00:00:00Z", steps: 1...1, report: "{}")
        return root
    }

    @Test func runsAreFoundChainedAndSummarised() throws {
        let root = try Self.makeExperiments()
        let runs = try RunComparison.discover(root: root, now: Date().addingTimeInterval(3600))
        #expect(runs.map(\.key) == ["a/20260101_0000-0001", "b/20260102_0000-0002", "c/20260103_0000-0003", "d/20260104_0000-0004"])
        let (a, b, c, d) = (runs[0], runs[1], runs[2], runs[3])
        // best.h5 was written at the first of the equal best validations; b continues it from there.
        #expect(a.bestValidation?.step == 2)
        #expect(a.parent == nil && a.stepOffset == 0)
        #expect(b.parent == a.key && b.stepOffset == 2)
        // c continues b's latest.h5 (its last step), wherever the experiments folder was then.
        #expect(c.parent == b.key && c.stepOffset == 5)
        #expect(a.state == .finished && b.state == .stopped && c.state == .finished)
        #expect(b.plannedSteps == 6 && b.steps == 3)
        #expect(a.recentLoss == 7.5)
        #expect(a.medianImagesPerSecond == 102.5)
        #expect(a.validations.last?.setupTypeWithPriorAccuracy == 0.6)
        #expect(a.report == .init(
            split: "test", charts: 10, setupType: nil, setupTypeWithPrior: 0.8, setupAndDirection: 0.5, phase: nil, linearProbeSetupType: 0.7))
        #expect(a.codeVersion == "abc1234" && a.problems.isEmpty)
        // The damaged folder is listed, with its two problems and their files.
        #expect(d.problems.count == 2)
        #expect(d.problems.contains { $0.contains("config.yaml") } && d.problems.contains { $0.contains("report/metrics.json") })
        #expect(d.plannedSteps == nil && d.state == .stopped)
        let unfinished = try RunComparison.discover(root: root, select: ["b"], now: Date())
        #expect(unfinished.map(\.state) == [.running])
    }

    /// A config in epochs gives no step count: the end-of-run report says the run finished.
    @Test func aRunInEpochsHasFinishedWhenItsReportIsWritten() throws {
        let root = try Fixtures.temporaryDirectory("runs-epochs").appendingPathComponent("experiments")
        let report = #"{"split": "test", "count": 3, "zeroShotSetup": {"accuracy": 1.0}}"#
        try Self.makeRun(root, "e", "1", config: "name: e\nepochs: 2\n", started: "2026-01-01T00:00:00Z", steps: 1...5, report: report)
        try Self.makeRun(root, "f", "2", config: "name: f\nepochs: 2\n", started: "2026-01-02T00:00:00Z", steps: 1...5)
        let runs = try RunComparison.discover(root: root, now: Date().addingTimeInterval(3600))
        #expect(runs.map(\.plannedSteps) == [nil, nil])
        #expect(runs.map(\.state) == [.finished, .stopped])
        #expect(runs.map(\.steps) == [5, 5])
    }

    @Test func aRunIsListedWithTheRunsItContinues() throws {
        let root = try Self.makeExperiments()
        #expect(try RunComparison.discover(root: root, select: ["c"]).map(\.name) == ["c"])
        #expect(try RunComparison.discover(root: root, select: ["c/20260103_0000-0003"], ancestors: true).map(\.name) == ["a", "b", "c"])
        #expect(try RunComparison.discover(root: root, select: ["b", "d"], ancestors: true).map(\.name) == ["a", "b", "d"])
        // Offsets do not depend on which runs are shown.
        #expect(try RunComparison.discover(root: root, select: ["c"]).first?.stepOffset == 5)
        #expect {
            try RunComparison.discover(root: root.appendingPathComponent("missing"))
        } throws: { "\($0)".contains("missing") && "\($0)".contains("chartclip train") }
    }

    @Test func theTableAndPlotsAreWritten() throws {
        let root = try Self.makeExperiments()
        let runs = try RunComparison.discover(root: root, now: Date().addingTimeInterval(3600))
        let table = RunComparison.markdown(runs)
        let rows = table.split(separator: "\n")
        #expect(rows.count == 2 + runs.count)
        // Training minutes: the last validation's elapsed_s (120 s).
        #expect(rows[2].contains("| a/20260101_0000-0001 | random weights | 4/4 | 0 | 7.500 | 102.5 | 2.0 | 50.0% (step 2) | 60.0% | test, 10 charts | – | 80.0% | 50.0% | – | 70.0% | finished |"))
        #expect(rows[3].contains("| b/20260102_0000-0002 | a/20260101_0000-0001 | 3/6 | 2 |"))
        #expect(rows[5].contains("stopped (2 problems)"))
        let output = root.deletingLastPathComponent().appendingPathComponent("compare")
        let files = try RunComparison.write(runs, to: output)
        #expect(files.map(\.lastPathComponent) == [
            "runs.md", "loss.png", "validation_setup_direction.png", "validation_setup_type_prior.png",
            "validation_setup_type_prior_minutes.png",
        ])
        #expect(runs[0].validations.map(\.minutes) == [1, 1.5, 2])
        for png in files.dropFirst() { #expect(try PNGCodec.read(from: png).width == 1000) }
        let md = try String(contentsOf: files[0], encoding: .utf8)
        #expect(md.contains(table) && md.contains("![training loss, trailing mean](loss.png)") && md.contains("Could not read"))
    }
}
