import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPSupport
import Foundation

/// Writes an evaluation's `metrics.json`, `report.md` and plots (loss curve, confusion
/// matrices, reliability diagram, sample charts), all drawn by ChartCLIP's own rasteriser.
struct ReportWriter {
    let results: Evaluator.Results
    let runDirectory: URL?

    func write(to output: URL, samples: [(VisionDataset.Row, RasterImage)], predicted: [String]) throws {
        try AtomicFile.createDirectory(output)
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(results), to: output.appendingPathComponent("metrics.json"))
        var plots: [String] = []

        if let run = runDirectory {
            let lines = RunDirectory(run).readMetrics()
            let steps = lines.filter { $0["loss"] != nil }
            if !steps.isEmpty {
                // The per-step losses of small contrastive batches are noisy; a trailing mean
                // over a fiftieth of the run shows the trend over them.
                let x = steps.map { Double($0["step"] as? Int ?? 0) }, y = steps.map { $0["loss"] as? Double ?? 0 }
                let window = max(1, y.count / 50)
                var series = [PlotSeries(name: "loss", x: x, y: y, color: window > 1 ? RGBColor(174, 199, 232) : nil)]
                if window > 1 {
                    series.append(PlotSeries(name: "mean of \(window) steps", x: x, y: Self.trailingMean(y, window: window), color: RGBColor(31, 119, 180)))
                }
                let plot = LinePlot(title: "training loss", xLabel: "step", yLabel: "loss", series: series)
                try plot.render().writePNG(to: output.appendingPathComponent("loss_curve.png"))
                plots.append("![loss curve](loss_curve.png)")
            }
            // The quick validations during training, once there are two to join.
            let validations = lines.filter { $0["val_zero_shot_setup_accuracy"] != nil }
            if validations.count >= 2 {
                let x = validations.map { Double($0["step"] as? Int ?? 0) }
                var series: [PlotSeries] = []
                for (key, name, color) in [
                    ("val_zero_shot_setup_accuracy", "setup and direction", RGBColor(31, 119, 180)),
                    ("val_zero_shot_setup_type_prior_accuracy", "setup type, training prior", RGBColor(44, 160, 44)),
                    ("val_zero_shot_phase_accuracy", "phase", RGBColor(255, 127, 14)),
                ] {
                    let values = validations.compactMap { $0[key] as? Double }
                    // Runs from before a readout was recorded have it on no line, or on the later ones only.
                    guard values.count == validations.count else { continue }
                    series.append(PlotSeries(name: name, x: x, y: values.map { 100 * $0 }, color: color))
                }
                let plot = LinePlot(title: "zero-shot accuracy on the validation split", xLabel: "step", yLabel: "%", series: series)
                try plot.render().writePNG(to: output.appendingPathComponent("validation_curve.png"))
                plots.append("![validation accuracy](validation_curve.png)")
            }
        }
        try ConfusionMatrixPlot(title: "zero-shot setup", classNames: results.zeroShotSetup.classes, counts: results.zeroShotSetup.confusion)
            .render().writePNG(to: output.appendingPathComponent("confusion_setup_zero_shot.png"))
        plots.append("![zero-shot setup confusion](confusion_setup_zero_shot.png)")
        try ConfusionMatrixPlot(title: "zero-shot phase", classNames: results.zeroShotPhase.classes, counts: results.zeroShotPhase.confusion)
            .render().writePNG(to: output.appendingPathComponent("confusion_phase_zero_shot.png"))
        plots.append("![zero-shot phase confusion](confusion_phase_zero_shot.png)")
        if let probe = results.linearProbeSetup {
            try ConfusionMatrixPlot(title: "linear probe setup", classNames: probe.classes, counts: probe.confusion)
                .render().writePNG(to: output.appendingPathComponent("confusion_setup_linear_probe.png"))
            plots.append("![linear probe confusion](confusion_setup_linear_probe.png)")
        }
        let bins = results.calibration.bins.map {
            ReliabilityBin(lower: $0.lower, upper: $0.upper, confidence: $0.confidence, accuracy: $0.accuracy, count: $0.count)
        }
        try ReliabilityDiagram(title: "zero-shot setup calibration", bins: bins).render()
            .writePNG(to: output.appendingPathComponent("reliability.png"))
        plots.append("![reliability diagram](reliability.png)")
        if let groups = results.bySharpness, !groups.isEmpty {
            // Accuracy per readout on the charts whose label holds and changes at each margin.
            // (The plot font has no ±; an empty group has no accuracy.)
            let names = groups.map { "\($0.name(plusMinus: "+-", lineBreak: "\n"))\n\($0.count) charts" }
            let value = { (group: SharpnessGroup, metric: ClassificationMetrics?) in group.count == 0 ? nil : metric?.accuracy }
            var series = [BarSeries(name: "zero-shot setup type", values: groups.map { value($0, $0.zeroShotSetupType) })]
            if groups.contains(where: { $0.zeroShotSetupTypeWithPrior != nil }) {
                series.append(BarSeries(name: "with training prior", values: groups.map { value($0, $0.zeroShotSetupTypeWithPrior) }))
            }
            if groups.contains(where: { $0.linearProbeSetupType != nil }) {
                series.append(BarSeries(name: "linear probe", values: groups.map { value($0, $0.linearProbeSetupType) }))
            }
            series.append(BarSeries(name: "share of none", values: groups.map { $0.count == 0 ? nil : $0.noneShare }, color: RGBColor(hex: 0xB0B0B0)))
            try GroupedBarChart(title: "setup type accuracy by label sharpness", yLabel: "accuracy", groups: names, series: series)
                .render(width: max(900, 160 * groups.count), height: 500).writePNG(to: output.appendingPathComponent("sharpness.png"))
            plots.append("![accuracy by label sharpness](sharpness.png)")
        }
        if !samples.isEmpty {
            let tiles = samples.enumerated().map { i, sample in
                let truth = sample.0.label.match.description
                let guess = predicted[i]
                return GridTile(image: sample.1, caption: "\(truth) -> \(guess)", captionColor: truth == guess ? RGBColor(hex: 0x006340) : RGBColor(hex: 0xA02128))
            }
            try ImageGrid(tiles: tiles, columns: 4, title: "\(results.split) charts: true -> predicted").render(tileWidth: 224, tileHeight: 224)
                .writePNG(to: output.appendingPathComponent("samples.png"))
            plots.append("![sample charts](samples.png)")
        }
        try AtomicFile.write(markdown(plots: plots), to: output.appendingPathComponent("report.md"))
    }

    /// The mean of each value and the `window − 1` before it (fewer at the start).
    static func trailingMean(_ values: [Double], window: Int) -> [Double] {
        var sum = 0.0
        return values.indices.map { i in
            sum += values[i]
            if i >= window { sum -= values[i - window] }
            return sum / Double(min(i + 1, window))
        }
    }

    func markdown(plots: [String]) -> String {
        let r = results
        let pct = Self.percent
        var md = "# Evaluation report\n\n"
        md += "- checkpoint: `\(r.checkpoint)`\n- dataset: `\(r.dataset)`, split `\(r.split)`, \(r.count) charts\n"
        if let precision = r.matmulPrecision { md += "- matrix products: \(precision.rawValue)\n" }
        md += "- zero-shot prototypes: \(r.pooling.summary)\n\n"
        md += "## Classification\n\n| task | accuracy | balanced accuracy |\n|---|---|---|\n"
        md += "| zero-shot setup type (\(r.zeroShotSetupType.classes.count) classes) | \(pct(r.zeroShotSetupType.accuracy)) | \(pct(r.zeroShotSetupType.balancedAccuracy)) |\n"
        if let m = r.zeroShotSetupTypeWithPrior {
            md += "| zero-shot setup type, training-label prior | \(pct(m.accuracy)) | \(pct(m.balancedAccuracy)) |\n"
        }
        md += "| zero-shot setup and direction (\(r.zeroShotSetup.classes.count) classes) | \(pct(r.zeroShotSetup.accuracy)) | \(pct(r.zeroShotSetup.balancedAccuracy)) |\n"
        md += "| zero-shot phase (\(r.zeroShotPhase.classes.count) classes) | \(pct(r.zeroShotPhase.accuracy)) | \(pct(r.zeroShotPhase.balancedAccuracy)) |\n"
        if let p = r.linearProbeSetup {
            let fitted = (r.linearProbeTrainingCharts.map { ", fitted on \($0) training charts" } ?? "")
                + (r.linearProbeFeatures.map { ", \($0.description)" } ?? "")
            md += "| linear probe setup and direction (λ = \(r.linearProbeLambda.map { String(format: "%g", $0) } ?? "?")\(fitted)) | \(pct(p.accuracy)) | \(pct(p.balancedAccuracy)) |\n"
        }
        if let p = r.linearProbeSetupType {
            md += "| linear probe, its answers read as setup type | \(pct(p.accuracy)) | \(pct(p.balancedAccuracy)) |\n"
        }
        md += "\nPer-class recall (zero-shot setup):\n\n| class | recall | count |\n|---|---|---|\n"
        for (i, c) in r.zeroShotSetup.classes.enumerated() {
            let n = r.zeroShotSetup.confusion[i].reduce(0, +)
            if n > 0 { md += "| \(c) | \(r.zeroShotSetup.recall[i].map(pct) ?? "-") | \(n) |\n" }
        }
        if let groups = r.bySharpness, !groups.isEmpty {
            md += "\n## By label sharpness\n\nCharts whose setup type holds, or changes, when every threshold of the setup rules moves by the margin either way"
            md += r.sharpnessFile.map { " (the dataset's `\(URL(fileURLWithPath: $0).lastPathComponent)`)" } ?? " (`chartclip label-stats --margins --charts`)"
            if let unlisted = r.sharpnessUnlisted, unlisted > 0 {
                md += "; \(unlisted) charts of the split are not in the file and count in neither.\n\n"
            } else {
                md += ".\n\n"
            }
            md += "| charts | count | `none` | zero-shot setup type | with training prior | setup and direction | linear probe | probe, setup type |\n|---|---|---|---|---|---|---|---|\n"
            for g in groups {
                md += "| \(g.name()) | \(g.count) | \(pct(g.noneShare)) | \(pct(g.zeroShotSetupType.accuracy)) | "
                md += "\(g.zeroShotSetupTypeWithPrior.map { pct($0.accuracy) } ?? "-") | \(pct(g.zeroShotSetup.accuracy)) | "
                md += "\(g.linearProbeSetup.map { pct($0.accuracy) } ?? "-") | \(g.linearProbeSetupType.map { pct($0.accuracy) } ?? "-") |\n"
            }
        }
        if let thresholds = r.byThreshold, let margin = thresholds.first?.margin {
            md += "\n## By deciding threshold\n\nCharts whose setup type changes when one threshold alone moves by ±\(String(format: "%g", 100 * margin))%, "
            md += "per threshold (a chart can be in several groups); `wrong` counts the answers with the training prior that miss.\n\n"
            md += Self.decidersTable(thresholds, heading: "threshold")
        }
        if let counts = r.byBarCount, !counts.isEmpty {
            md += "\n## By deciding bar count\n\nCharts whose setup type changes when one bar count of the rules alone moves by one bar either way "
            md += "(a breakout twelve bars back makes a pullback, thirteen bars back it does not), per bar count; `wrong` counts the answers with the training prior that miss.\n\n"
            md += Self.decidersTable(counts, heading: "bar count")
        }
        md += "\n## Retrieval (class-aware)\n\n| direction | R@1 | R@5 | R@10 |\n|---|---|---|---|\n"
        for (name, values) in [("image → text", r.retrieval.imageToText), ("text → image", r.retrieval.textToImage)] {
            md += "| \(name) | \(pct(values["R@1"] ?? 0)) | \(pct(values["R@5"] ?? 0)) | \(pct(values["R@10"] ?? 0)) |\n"
        }
        md += "\n## Calibration\n\nExpected calibration error of the zero-shot setup classifier: \(String(format: "%.3f", r.calibration.expectedCalibrationError)).\n\n"
        md += "## Plots\n\n" + plots.joined(separator: "\n\n") + "\n"
        return md
    }

    /// `x` as a percentage with one decimal, e.g. "87.8%".
    static func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }

    /// A table of `ThresholdGroup`s, one row each, `heading` naming the first column.
    static func decidersTable(_ groups: [ThresholdGroup], heading: String) -> String {
        let pct = percent
        var md = "| \(heading) | charts | `none` | zero-shot setup type | with training prior | probe, setup type | wrong |\n|---|---|---|---|---|---|---|\n"
        for g in groups {
            let wrong = g.zeroShotSetupTypeWithPrior.map { String(Int((Double(g.count) * (1 - $0)).rounded())) } ?? "-"
            md += "| `\(g.threshold)` | \(g.count) | \(pct(g.noneShare)) | \(pct(g.zeroShotSetupType)) | "
            md += "\(g.zeroShotSetupTypeWithPrior.map(pct) ?? "-") | \(g.linearProbeSetupType.map(pct) ?? "-") | \(wrong) |\n"
        }
        return md
    }
}
