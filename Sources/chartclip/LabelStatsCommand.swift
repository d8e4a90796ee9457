import ArgumentParser
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip label-stats`: how often the local labeler gives each setup and phase on
/// candle files (or on a training-data folder's labels).
struct LabelStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label-stats",
        abstract: "Distribution of the local labeler's setups and phases over candle files.",
        discussion: """
            Labels every --window-candle chart ending every --stride candles of each file, and \
            prints one table per file and one for all of them. With --labels it counts a \
            training-data folder's labels.jsonl instead. With --margins it also counts, per \
            setup type, the labels that change type when every threshold of the setup rules \
            moves by that margin towards harder or easier to meet: charts that sit that close \
            to a rule's threshold look nearly the same on either side of it.
            Example: chartclip label-stats --candles ../shared/data/bybit/linear_15m/*.csv --drop-last
            Example: chartclip label-stats --candles synth.csv --window 32 --stride 4 --newest 0.15 --margins 0.05 0.15
            Example: chartclip label-stats --candles SYNTH?USDT.csv --window 32 --dataset data/synthetic/NAME/vision_dataset
            """)

    @Option(parsing: .upToNextOption, help: "Candle CSV files.")
    var candles: [String] = []

    @Option(help: "A labels.jsonl (or its training-data folder) to count instead.")
    var labels: String?

    @Option(help: "Candles per chart.")
    var window: Int = 96

    @Option(help: "Candles between consecutive charts.")
    var stride: Int = 4

    @Option(help: "Count only this newest fraction of each file's windows (a dataset's test split is the newest 0.15).")
    var newest: Double = 1

    @Option(parsing: .upToNextOption, help: "Threshold margins (fractions, e.g. 0.05 0.15) at which to count the labels that change setup type.")
    var margins: [Double] = []

    @Option(help: "Also write one row per chart to this CSV: symbol, timestamp (the last candle's close, as in a dataset.csv), label, and with --margins whether its setup type changes at each margin.")
    var charts: String?

    @Option(help: "A prepared dataset folder: label each of its charts again on --candles (the files its charts were drawn from) and write FOLDER/sharpness.csv, which chartclip eval reads by default. --margins defaults to 0.05 0.15 here.")
    var dataset: String?

    @Option(help: "Worker threads (0 = one per core).")
    var threads: Int = 0

    @Flag(help: "Drop each file's last row (a candle that may still have been forming).")
    var dropLast = false

    @Flag(help: "Hide the progress bars.")
    var quiet = false

    func run() throws {
        if let labels {
            var url = URL(fileURLWithPath: labels)
            if !url.path.hasSuffix(".jsonl") { url.appendPathComponent(LabelsJournal.fileName) }
            let (records, bad, duplicates) = try LabelsJournal.loadCounted(url)
            print(LabelDistribution(records.map(\.label)).table(title: url.path))
            if !bad.isEmpty { print("skipped \(bad.count) unreadable line(s): \(bad.prefix(10).map(String.init).joined(separator: ", "))") }
            if !duplicates.isEmpty {
                print("counted each chart once: skipped \(duplicates.count) line(s) repeating an earlier chart: \(duplicates.prefix(10).map(String.init).joined(separator: ", "))")
            }
            return
        }
        guard !candles.isEmpty else { throw ValidationError("give --candles FILE... or --labels") }
        if let dataset {
            guard charts == nil, newest == 1 else {
                throw ValidationError("--dataset measures exactly the dataset's charts; --charts and --newest do not apply to it")
            }
            return try writeSharpness(of: dataset)
        }
        var total = LabelDistribution(margins: margins)
        var rows = [ChartSharpness.header(margins: margins)]
        let started = Date()
        let part = newest < 1 ? String(format: ", newest %g%%", 100 * newest) : ""
        for file in candles {
            let series = try CandleCSV.load(URL(fileURLWithPath: file), formingCandle: dropLast ? .dropLast : .keep).series
            let readings = try LabelDistribution.readings(
                series, window: window, stride: stride, newest: newest, margins: margins, threads: threads, progress: !quiet)
            let distribution = LabelDistribution(readings, margins: margins)
            if charts != nil {
                rows += readings.map { ChartSharpness.row(symbol: series.symbol, $0) }
            }
            print(distribution.table(title: "\(series.symbol) \(series.interval), \(window)-candle charts every \(stride)\(part)"))
            total.merge(distribution)
        }
        if candles.count > 1 { print(total.table(title: "all \(candles.count) files")) }
        if let charts {
            try AtomicFile.write(rows.joined(separator: "\n") + "\n", to: URL(fileURLWithPath: charts))
            print("wrote \(rows.count - 1) charts to \(charts)")
        }
        print(String(format: "%d labels in %.1f s", total.total, Date().timeIntervalSince(started)))
    }

    /// `--dataset`: the dataset's own sharpness file, its charts labelled again on the candles.
    func writeSharpness(of folder: String) throws {
        let started = Date()
        let data = try VisionDataset.load(URL(fileURLWithPath: folder))
        let series = try candles.map { try CandleCSV.load(URL(fileURLWithPath: $0), formingCandle: dropLast ? .dropLast : .keep).series }
        let measured = try ChartSharpness.write(
            for: data, series: series, window: window, margins: margins.isEmpty ? ChartSharpness.standardMargins : margins,
            threads: threads, progress: !quiet)
        print("wrote \(measured.charts) charts to \(data.root.appendingPathComponent(ChartSharpness.datasetFileName).path)"
            + String(format: " in %.1f s", Date().timeIntervalSince(started)))
        if measured.unmatched > 0 {
            print("\(measured.unmatched) charts of the dataset have no candle file among --candles or no window of \(window) candles closing at their timestamp; eval counts them in no group")
        }
        if measured.otherLabels > 0 {
            print("\(measured.otherLabels) charts carry a setup type other than the local labeler's; their rows say how sharp the local label is")
        }
    }
}
