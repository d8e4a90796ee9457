import ChartCLIPSupport
import Foundation

/// `chartclip prepare-dataset` (the users' `prepare_training_dataset`): gathers the complete
/// samples of `training_data/` into `vision_dataset/` — `dataset.csv`, the images under
/// `images/` (hard links, copies where linking fails), and a report (`report.md`,
/// `report.json`) listing skipped samples and the class balance of each split.
///
/// Deterministic: rows are ordered by symbol and time, captions are chosen by each sample's
/// name, and nothing depends on the clock or on file-system order, so the same input gives
/// byte-identical output. Images of earlier runs that are no longer part of the dataset are
/// removed from `images/`, so the folder always matches the CSV.
public enum DatasetPreparation {
    /// How to split and caption.
    public struct Options: Sendable, Equatable {
        /// Fractions, held-out symbols and embargo.
        public var split: TimeSplit
        /// Seed of the caption choice (each sample's caption is picked by its name and this).
        public var captionSeed: UInt64 = 0
        /// Hard-link images (falling back to copies); `false` always copies.
        public var linkImages = true
        /// Threads for checking charts (0: one per core).
        public var threads = 0

        /// Options with the given split.
        public init(split: TimeSplit) { self.split = split }
    }

    /// Prepares the dataset of `input` in `output` and returns its report (also written).
    public static func prepare(input: URL, output: URL, options: Options) throws -> DatasetReport {
        let inventory = try TrainingDataInventory.read(input, threads: options.threads)
        let items = inventory.samples.map {
            TimeSplit.Item(symbol: $0.symbol, startMs: $0.windowStartMs, endMs: $0.closeTimeMs)
        }
        try requireOneChartSize(inventory.samples, folder: input)
        let splits = options.split.assign(items)
        var report = DatasetReport(
            input: input.path, options: options, skipped: inventory.problems, embargoed: [], balance: [:])
        var rows: [(sample: TrainingDataInventory.Sample, split: DatasetSplit)] = []
        for (sample, split) in zip(inventory.samples, splits) {
            if let split {
                rows.append((sample, split))
                report.balance[split, default: LabelDistribution()].add(sample.record.label)
            } else {
                report.embargoed.append(sample.name.id)
            }
        }
        guard !rows.isEmpty else {
            throw ChartCLIPError(
                "no usable samples (\(inventory.problems.count) skipped, \(report.embargoed.count) embargoed)", at: input.path,
                hint: "run chartclip scan --out \(input.path) first")
        }
        let images = output.appendingPathComponent("images")
        try AtomicFile.createDirectory(images)
        for folder in [output, images] { AtomicFile.removeStaleTemporaries(in: folder) }  // a prepare killed mid-write
        var csv = DatasetCSV.line(DatasetCSV.columns) + "\n"
        var kept = Set<String>()
        for (sample, split) in rows {
            let file = sample.name.chartFile
            kept.insert(file)
            try place(sample.chartURL, at: images.appendingPathComponent(file), link: options.linkImages)
            let label = sample.record.label
            let caption = CaptionTemplates.caption(for: label, key: sample.name.id, seed: options.captionSeed)
            csv += DatasetCSV.line([
                "images/\(file)", caption, label.setupType.rawValue, label.setupDirection.rawValue,
                label.phaseType.rawValue, String(label.confidence), sample.symbol, sample.record.timestamp, split.rawValue,
            ]) + "\n"
        }
        report.removedStaleImages = try removeStale(in: images, keeping: kept)
        try AtomicFile.write(csv, to: output.appendingPathComponent(VisionDataset.csvName))
        try AtomicFile.write(report.markdown(), to: output.appendingPathComponent("report.md"))
        try AtomicFile.write(try report.json(), to: output.appendingPathComponent("report.json"))
        return report
    }

    /// Refuses charts of several sizes (folders scanned with other settings, merged): a model
    /// is trained at one size, and resizing some charts would change what they show.
    static func requireOneChartSize(_ samples: [TrainingDataInventory.Sample], folder: URL) throws {
        var bySize: [String: (count: Int, example: String)] = [:]
        for sample in samples {
            bySize["\(sample.chartSize.width)x\(sample.chartSize.height)", default: (0, sample.chartURL.lastPathComponent)].count += 1
        }
        guard bySize.count > 1 else { return }
        let list = bySize.sorted { $0.value.count > $1.value.count }
            .map { "\($0.value.count) of \($0.key) (e.g. \($0.value.example))" }.joined(separator: ", ")
        throw ChartCLIPError(
            "the training data mixes chart sizes: \(list)", at: folder.path,
            hint: "scan each chart size into its own folder, and prepare a dataset from one")
    }

    /// Puts `source` at `destination`: a hard link (or a copy), replacing a different file
    /// atomically and leaving an identical one alone.
    static func place(_ source: URL, at destination: URL, link: Bool) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) {
            if sameFile(source, destination) || fm.contentsEqual(atPath: source.path, andPath: destination.path) { return }
        }
        if link {
            let temporary = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).link-\(ProcessInfo.processInfo.processIdentifier)")
            unlink(temporary.path)
            if Glibc.link(source.path, temporary.path) == 0 {
                guard rename(temporary.path, destination.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(temporary.path)
                    throw ChartCLIPError("cannot move the image link into place: \(reason)", at: destination.path)
                }
                return
            }
        }
        let data: Data
        do {
            data = try Data(contentsOf: source)
        } catch {
            throw ChartCLIPError("cannot read the chart: \(error.localizedDescription)", at: source.path)
        }
        try AtomicFile.write(data, to: destination)
    }

    /// Whether two paths are the same file (same device and inode: already hard-linked).
    static func sameFile(_ a: URL, _ b: URL) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a.path, &sa) == 0, stat(b.path, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Removes chart files in `images` that are not in `kept`; returns how many.
    static func removeStale(in images: URL, keeping kept: Set<String>) throws -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: images.path)) ?? []
        var removed = 0
        for file in files.sorted() where file.hasSuffix(TrainingSampleName.chartSuffix) && !kept.contains(file) {
            if unlink(images.appendingPathComponent(file).path) == 0 { removed += 1 }
        }
        return removed
    }
}
