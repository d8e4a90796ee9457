import ChartCLIPImage
import ChartCLIPSupport
import Foundation
import Yams

/// What one run folder says about itself: how far it trained, how fast, its quick
/// validations, its end-of-run report's figures, and the run its `init_checkpoint` came
/// from, so runs that continue one another read as one chain of training steps.
public struct RunSummary: Sendable {
    /// One quick validation during training.
    public struct Validation: Sendable, Equatable {
        /// The training step it ran after.
        public var step: Int
        /// Zero-shot setup and direction (what chooses `best.h5`).
        public var setupAccuracy: Double
        /// Zero-shot setup type with the training labels' prior (absent in older runs).
        public var setupTypeWithPriorAccuracy: Double?
        /// Zero-shot phase.
        public var phaseAccuracy: Double?
        /// Wall-clock minutes of training when it was measured (runs that record `elapsed_s`).
        public var minutes: Double? = nil
    }

    /// Figures of the end-of-run report (`report/metrics.json`).
    public struct ReportFigures: Sendable, Equatable {
        /// The split scored and its number of charts.
        public var split: String, charts: Int
        /// Zero-shot accuracies: setup type, the same with the training prior, setup and
        /// direction, phase (each absent when the report predates it).
        public var setupType: Double?, setupTypeWithPrior: Double?, setupAndDirection: Double?, phase: Double?
        /// The linear probe's answers read as setup types.
        public var linearProbeSetupType: Double?
    }

    /// Where the run stands.
    public enum State: Sendable, Equatable, CustomStringConvertible {
        /// It reached its planned steps (in epochs: its end-of-run report is written).
        case finished
        /// Unfinished, and `metrics.jsonl` changed within the last few minutes.
        case running
        /// Unfinished and quiet: interrupted or stopped (`chartclip train --resume` continues it).
        case stopped

        public var description: String {
            switch self {
            case .finished: "finished"
            case .running: "running"
            case .stopped: "stopped"
            }
        }
    }

    /// `experiments/NAME/RUN_ID`.
    public var directory: RunDirectory
    /// Experiment name and run id.
    public var name: String, id: String
    /// Start time and code version from `run.json`.
    public var started: String?, codeVersion: String?
    /// Steps the config asks for (`nil` when it gives epochs or cannot be read).
    public var plannedSteps: Int?
    /// The last step in `metrics.jsonl`.
    public var steps: Int
    /// The config's `init_checkpoint`, as written.
    public var initCheckpoint: String?
    /// `NAME/RUN_ID` of the run that checkpoint lies in, when it is one of the listed runs.
    public var parent: String?
    /// Steps trained before this run began along its chain of parents (0 from random or
    /// imported weights): the parent's own offset plus the step its checkpoint was written at.
    public var stepOffset = 0
    /// Per training step: the loss.
    public var losses: [(step: Int, loss: Double)]
    /// Median training throughput.
    public var medianImagesPerSecond: Double?
    /// The quick validations, in order.
    public var validations: [Validation]
    /// The end-of-run report, when written.
    public var report: ReportFigures?
    /// Where the run stands.
    public var state: State
    /// What could not be read (a config that no longer decodes, a damaged report), with the file.
    public var problems: [String]

    /// `NAME/RUN_ID`.
    public var key: String { "\(name)/\(id)" }

    /// Mean loss of the last 100 steps (fewer when the run has fewer).
    public var recentLoss: Double? {
        let tail = losses.suffix(100)
        return tail.isEmpty ? nil : tail.map(\.loss).reduce(0, +) / Double(tail.count)
    }

    /// The validation that wrote `best.h5`: the first with the highest setup-and-direction
    /// accuracy (the run keeps a new best only when it is strictly higher).
    public var bestValidation: Validation? {
        validations.reduce(nil) { best, v in best.map { v.setupAccuracy > $0.setupAccuracy ? v : $0 } ?? v }
    }

    /// The step `checkpoints/FILE` was written at: best.h5 at the best validation (or at the
    /// end of a run without validation), latest.h5 at the last step.
    func step(ofCheckpoint file: String) -> Int {
        file == "best.h5" ? (bestValidation?.step ?? steps) : steps
    }
}

/// Finds, summarises, tabulates and plots the runs under an experiments folder
/// (`chartclip runs`).
public enum RunComparison {
    /// Every run folder `root/NAME/RUN_ID` (one holding `metrics.jsonl` or `config.yaml`),
    /// oldest first, with parents linked and step offsets worked out. `select`, when not
    /// empty, keeps the runs whose name or `NAME/RUN_ID` it lists, and with `ancestors` the
    /// runs they continue. A folder that is partly unreadable is still listed, its problems named.
    public static func discover(
        root: URL, select: [String] = [], ancestors: Bool = false, now: Date = Date()
    ) throws -> [RunSummary] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ChartCLIPError("no experiments folder", at: root.path, hint: "runs are written by 'chartclip train' into experiments/NAME/RUN_ID")
        }
        var runs: [RunSummary] = []
        for name in try fm.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(name)
            guard let ids = try? fm.contentsOfDirectory(atPath: folder.path) else { continue }
            for id in ids.sorted() {
                let run = RunDirectory(folder.appendingPathComponent(id))
                guard fm.fileExists(atPath: run.metrics.path) || fm.fileExists(atPath: run.config.path) else { continue }
                runs.append(summarise(run, name: name, id: id, now: now))
            }
        }
        runs.sort { ($0.started ?? $0.id, $0.key) < ($1.started ?? $1.id, $1.key) }
        link(&runs)
        guard !select.isEmpty else { return runs }
        let byKey = Dictionary(runs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var kept = Set(runs.filter { select.contains($0.name) || select.contains($0.key) }.map(\.key))
        if ancestors {
            for key in kept {
                var parent = byKey[key]?.parent
                while let p = parent, !kept.contains(p) {
                    kept.insert(p)
                    parent = byKey[p]?.parent
                }
            }
        }
        return runs.filter { kept.contains($0.key) }
    }

    /// One run folder's summary; what cannot be read is noted, not thrown.
    static func summarise(_ run: RunDirectory, name: String, id: String, now: Date) -> RunSummary {
        var problems: [String] = []
        var started: String?, code: String?
        if let data = FileManager.default.contents(atPath: run.runInfo.path) {
            if let info = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
                started = info["started"] as? String
                code = info["code_version"] as? String
            } else {
                problems.append("\(run.runInfo.path): not a JSON object")
            }
        }
        var planned: Int?, initCheckpoint: String?
        // Read leniently, not decoded: a run's config need not pass today's checks (a field
        // since renamed or checked more strictly).
        if let data = FileManager.default.contents(atPath: run.config.path) {
            if let config = (try? Yams.load(yaml: String(decoding: data, as: UTF8.self))) as? [String: Any] {
                planned = config["steps"] as? Int
                initCheckpoint = config["init_checkpoint"] as? String
            } else {
                problems.append("\(run.config.path): not a YAML mapping")
            }
        }
        let lines = run.readMetrics()
        var losses: [(step: Int, loss: Double)] = []
        var speeds: [Double] = []
        var validations: [RunSummary.Validation] = []
        var steps = 0
        for line in lines {
            guard let step = line["step"] as? Int else { continue }
            steps = max(steps, step)
            if let loss = line["loss"] as? Double { losses.append((step, loss)) }
            if let speed = line["images_per_s"] as? Double, speed.isFinite { speeds.append(speed) }
            if let setup = line["val_zero_shot_setup_accuracy"] as? Double {
                validations.append(.init(
                    step: step, setupAccuracy: setup, setupTypeWithPriorAccuracy: line["val_zero_shot_setup_type_prior_accuracy"] as? Double,
                    phaseAccuracy: line["val_zero_shot_phase_accuracy"] as? Double,
                    minutes: (line["elapsed_s"] as? Double).map { $0 / 60 }))
            }
        }
        let reportFile = run.report.appendingPathComponent("metrics.json")
        var report: RunSummary.ReportFigures?
        if let data = FileManager.default.contents(atPath: reportFile.path) {
            if let figures = reportFigures(data) {
                report = figures
            } else {
                problems.append("\(reportFile.path): not an evaluation report (no split, count and zeroShotSetup)")
            }
        }
        // A config in epochs does not say its steps; the end-of-run report, written only
        // after the last step, says the run got there.
        let state: RunSummary.State
        if planned.map({ steps >= $0 }) ?? (report != nil) {
            state = .finished
        } else {
            let modified = (try? FileManager.default.attributesOfItem(atPath: run.metrics.path)[.modificationDate]) as? Date
            state = modified.map { now.timeIntervalSince($0) < 300 } == true ? .running : .stopped
        }
        return RunSummary(
            directory: run, name: name, id: id, started: started, codeVersion: code, plannedSteps: planned, steps: steps,
            initCheckpoint: initCheckpoint, parent: nil, losses: losses, medianImagesPerSecond: speeds.isEmpty ? nil : Timing.median(speeds), validations: validations,
            report: report, state: state, problems: problems)
    }

    /// The figures of an evaluation's `metrics.json`, read leniently so reports of older
    /// versions (fewer readouts) still count; nil when it is not one.
    static func reportFigures(_ data: Data) -> RunSummary.ReportFigures? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let split = object["split"] as? String, let count = object["count"] as? Int, object["zeroShotSetup"] != nil
        else { return nil }
        func accuracy(_ key: String) -> Double? { (object[key] as? [String: Any])?["accuracy"] as? Double }
        return .init(
            split: split, charts: count, setupType: accuracy("zeroShotSetupType"), setupTypeWithPrior: accuracy("zeroShotSetupTypeWithPrior"),
            setupAndDirection: accuracy("zeroShotSetup"), phase: accuracy("zeroShotPhase"), linearProbeSetupType: accuracy("linearProbeSetupType"))
    }

    /// Links each run to the listed run its `init_checkpoint` lies in
    /// (`…/NAME/RUN_ID/checkpoints/FILE.h5`) and adds up the steps before it, oldest first.
    static func link(_ runs: inout [RunSummary]) {
        var index: [String: Int] = [:]
        for (i, run) in runs.enumerated() { index[run.key] = i }
        var resolved = Set<String>()
        func resolve(_ i: Int, visiting: Set<String>) {
            let key = runs[i].key
            guard !resolved.contains(key), !visiting.contains(key) else { return }
            defer { resolved.insert(key) }
            guard let path = runs[i].initCheckpoint else { return }
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 4, parts[parts.count - 2] == "checkpoints" else { return }
            let parentKey = "\(parts[parts.count - 4])/\(parts[parts.count - 3])"
            guard let p = index[parentKey], parentKey != key else { return }
            resolve(p, visiting: visiting.union([key]))
            runs[i].parent = parentKey
            runs[i].stepOffset = runs[p].stepOffset + runs[p].step(ofCheckpoint: parts[parts.count - 1])
        }
        for i in runs.indices { resolve(i, visiting: []) }
    }

    /// The runs as a Markdown table: one row each, with the report's figures when it has one.
    public static func markdown(_ runs: [RunSummary]) -> String {
        func pct(_ value: Double?) -> String { value.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
        var md = "| run | from | steps | trained before | loss (last 100) | img/s | training min | best val setup + direction | last val setup type, prior | report | setup type | setup type, prior | setup + direction | phase | linear probe | state |\n"
        md += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for run in runs {
            let steps = run.plannedSteps.map { "\(run.steps)/\($0)" } ?? "\(run.steps)"
            let from = run.parent ?? run.initCheckpoint.map { "`\($0)`" } ?? "random weights"
            let best = run.bestValidation.map { "\(pct($0.setupAccuracy)) (step \($0.step))" } ?? "–"
            let report = run.report.map { "\($0.split), \($0.charts) charts" } ?? "–"
            let loss: String = run.recentLoss.map { String(format: "%.3f", $0) } ?? "–"
            let speed: String = run.medianImagesPerSecond.map { String(format: "%.1f", $0) } ?? "–"
            let minutes: String = run.validations.last?.minutes.map { String(format: "%.1f", $0) } ?? "–"
            let cells: [String] = [
                run.key, from, steps, "\(run.stepOffset)", loss, speed, minutes, best,
                pct(run.validations.last?.setupTypeWithPriorAccuracy), report, pct(run.report?.setupType), pct(run.report?.setupTypeWithPrior),
                pct(run.report?.setupAndDirection), pct(run.report?.phase), pct(run.report?.linearProbeSetupType),
                run.state.description + (run.problems.isEmpty ? "" : " (\(run.problems.count) problem\(run.problems.count == 1 ? "" : "s"))"),
            ]
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }

    /// Writes `runs.md` (the table and the plots) and the plots into `output`: the training
    /// loss (trailing mean) and the quick validations against steps counted along each
    /// run's chain of parents. Returns the files written.
    @discardableResult
    public static func write(_ runs: [RunSummary], to output: URL) throws -> [URL] {
        try AtomicFile.createDirectory(output)
        var written: [URL] = []
        var images: [String] = []
        let names = Dictionary(grouping: runs, by: \.name)
        func label(_ run: RunSummary) -> String { names[run.name]?.count == 1 ? run.name : run.key }
        func plot(_ file: String, title: String, yLabel: String, _ series: [PlotSeries]) throws {
            guard !series.isEmpty else { return }
            let url = output.appendingPathComponent(file)
            try LinePlot(title: title, xLabel: "training step (counted along each run's chain)", yLabel: yLabel, series: series)
                .render(width: 1000, height: 600).writePNG(to: url)
            written.append(url)
            images.append("![\(title)](\(file))")
        }
        try plot("loss.png", title: "training loss, trailing mean", yLabel: "loss", runs.compactMap { run in
            guard !run.losses.isEmpty else { return nil }
            let window = max(1, (run.losses.count + run.stepOffset) / 100)
            return PlotSeries(
                name: label(run), x: run.losses.map { Double(run.stepOffset + $0.step) },
                y: ReportWriter.trailingMean(run.losses.map(\.loss), window: window))
        })
        try plot("validation_setup_direction.png", title: "validation: zero-shot setup and direction", yLabel: "accuracy", runs.compactMap { run in
            run.validations.isEmpty ? nil : PlotSeries(
                name: label(run), x: run.validations.map { Double(run.stepOffset + $0.step) }, y: run.validations.map(\.setupAccuracy))
        })
        try plot("validation_setup_type_prior.png", title: "validation: zero-shot setup type with the training prior", yLabel: "accuracy", runs.compactMap { run in
            let points = run.validations.compactMap { v in v.setupTypeWithPriorAccuracy.map { (Double(run.stepOffset + v.step), $0) } }
            return points.isEmpty ? nil : PlotSeries(name: label(run), x: points.map(\.0), y: points.map(\.1))
        })
        // Time to accuracy: the same validations against wall-clock minutes of training.
        let timed = runs.compactMap { run -> PlotSeries? in
            let points = run.validations.compactMap { v in v.minutes.flatMap { m in v.setupTypeWithPriorAccuracy.map { (m, $0) } } }
            return points.isEmpty ? nil : PlotSeries(name: label(run), x: points.map(\.0), y: points.map(\.1))
        }
        if !timed.isEmpty {
            let url = output.appendingPathComponent("validation_setup_type_prior_minutes.png")
            try LinePlot(
                title: "validation: zero-shot setup type with the training prior, against time", xLabel: "minutes of training",
                yLabel: "accuracy", series: timed
            ).render(width: 1000, height: 600).writePNG(to: url)
            written.append(url)
            images.append("![validation against minutes of training](validation_setup_type_prior_minutes.png)")
        }
        var md = "# Runs\n\n\(markdown(runs))\n"
        let problems = runs.flatMap(\.problems)
        if !problems.isEmpty { md += "Could not read:\n\n" + problems.map { "- \($0)\n" }.joined() + "\n" }
        md += images.joined(separator: "\n\n") + "\n"
        let table = output.appendingPathComponent("runs.md")
        try AtomicFile.write(md, to: table)
        return [table] + written
    }
}
