import ArgumentParser
import ChartCLIPLabels
import Foundation

/// `chartclip prepare-dataset` (the users' `prepare_training_dataset`): training_data/ →
/// vision_dataset/ (CSV, images, report).
struct PrepareDatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-dataset",
        abstract: "Gather training_data/ into a vision dataset: dataset.csv, images/, report.",
        discussion: """
            Columns: filepath,caption,setup_type,setup_direction,phase_type,confidence,symbol,timestamp,split. \
            Each symbol's charts are split by time (train, then val, then test); charts whose \
            window reaches into a later split's windows are dropped (embargo), so no two splits \
            share a candle. Held-out symbols form a 'holdout' split; every chart of a training-only \
            symbol goes to train. Incomplete or corrupt samples \
            are listed in report.md and skipped. The same input gives byte-identical output.
            Example: chartclip prepare-dataset --input training_data/ --output vision_dataset/ \
            --val-fraction 0.15 --test-fraction 0.15 --holdout-symbols XRPUSDT
            """)

    @Option(help: "Training-data folder written by chartclip scan.")
    var input: String = "training_data"

    @Option(help: "Dataset folder to write.")
    var output: String = "vision_dataset"

    @Option(help: "Share of each symbol's charts for validation.")
    var valFraction: Double = 0.15

    @Option(help: "Share of each symbol's charts for test (the newest).")
    var testFraction: Double = 0.15

    @Option(help: "Symbols held out entirely as the 'holdout' split: comma-separated, or the option repeated (--holdout-symbols SOLUSDT --holdout-symbols XRPUSDT).")
    var holdoutSymbols: [String] = []

    @Option(help: "Symbols whose every chart goes to train (extra markets that leave val and test as they were): comma-separated, or the option repeated.")
    var trainingSymbols: [String] = []

    @Option(help: "Extra gap between splits beyond non-overlapping windows, in minutes.")
    var embargoMinutes: Int = 0

    @Option(help: "Seed of the caption choice.")
    var captionSeed: UInt64 = 0

    @Flag(help: "Copy images instead of hard-linking them.")
    var copy = false

    @Option(help: "Threads for checking charts (0 = one per core).")
    var threads: Int = 0

    func run() throws {
        let names = { (options: [String]) in
            Set(options.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })
        }
        let split = try TimeSplit(
            valFraction: valFraction, testFraction: testFraction, holdoutSymbols: names(holdoutSymbols),
            trainingSymbols: names(trainingSymbols), embargoMs: Int64(embargoMinutes) * 60_000)
        var options = DatasetPreparation.Options(split: split)
        options.captionSeed = captionSeed
        options.linkImages = !copy
        options.threads = threads
        let out = URL(fileURLWithPath: output)
        let report = try DatasetPreparation.prepare(input: URL(fileURLWithPath: input), output: out, options: options)
        let counts = DatasetSplit.allCases.compactMap { s in report.counts[s].map { "\(s.rawValue) \($0)" } }
        print("wrote \(report.rows) rows (\(counts.joined(separator: ", "))) to \(out.appendingPathComponent(VisionDataset.csvName).path)")
        print("dropped \(report.embargoed.count) chart(s) at split boundaries so no windows overlap")
        if report.removedStaleImages > 0 { print("removed \(report.removedStaleImages) image(s) of an earlier run") }
        for split in DatasetSplit.allCases {
            guard let balance = report.balance[split] else { continue }
            print(balance.table(title: "class balance, \(split.rawValue)"))
        }
        if !report.skipped.isEmpty {
            print("skipped \(report.skipped.count) incomplete or corrupt sample(s); see \(out.appendingPathComponent("report.md").path):")
            for problem in report.skipped.prefix(10) { print("  \(problem.sample): \(problem.reason)") }
        }
    }
}
