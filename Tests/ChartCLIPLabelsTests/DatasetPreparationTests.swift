import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip prepare-dataset` as a library: time splits with an embargo, held-out symbols,
/// the corrupt-sample report, byte-identical output, and the CSV loader training uses.
@Suite struct DatasetPreparationTests {
    /// Training data of two synthetic symbols (1200 candles each, a chart every 12 candles and
    /// on every planted setup, 32 pixels), made once and copied by tests that damage it.
    static let trainingData = Task { () throws -> URL in
        let folder = try Fixtures.temporaryDirectory("training-data")
        for (symbol, seed) in [("AAAUSDT", UInt64(3)), ("BBBUSDT", UInt64(4))] {
            var options = SyntheticTrainingData.Options()
            options.market.symbol = symbol
            options.market.seed = seed
            options.market.bars = 1200
            options.scan.chartSize = 32
            options.scan.progress = false
            options.windows = .plantedAndStride(12)
            _ = try await SyntheticTrainingData.generate(into: folder, options: options)
        }
        return folder
    }

    static func copy() async throws -> URL {
        let copy = try Fixtures.temporaryDirectory("training-copy").appendingPathComponent("training_data")
        try FileManager.default.copyItem(at: try await trainingData.value, to: copy)
        return copy
    }

    static let window: Int64 = 96 * 900_000

    @Test func splitsAreByTimePerSymbolAndNoWindowsOverlapAcrossSplits() async throws {
        let input = try await Self.trainingData.value
        let output = try Fixtures.temporaryDirectory("dataset")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = try DatasetPreparation.prepare(
            input: input, output: output, options: .init(split: try TimeSplit(valFraction: 0.15, testFraction: 0.15)))
        #expect(report.skipped.isEmpty && !report.embargoed.isEmpty)
        let dataset = try VisionDataset.load(output)
        #expect(dataset.rows.count == report.rows)
        for symbol in ["AAAUSDT", "BBBUSDT"] {
            let rows = dataset.rows.filter { $0.symbol == symbol }
            let train = rows.filter { $0.split == .train }, val = rows.filter { $0.split == .val }
            let test = rows.filter { $0.split == .test }
            #expect(!train.isEmpty && !val.isEmpty && !test.isEmpty)
            // Time order: all of train, then val, then test.
            #expect(train.map(\.timestampMs).max()! < val.map(\.timestampMs).min()!)
            #expect(val.map(\.timestampMs).max()! < test.map(\.timestampMs).min()!)
            // A window ends at its timestamp and starts 96 candles earlier: no two windows of
            // different splits share a candle.
            for a in rows {
                for b in rows where a.split != b.split {
                    #expect(abs(a.timestampMs - b.timestampMs) >= Self.window, "\(a.filepath) and \(b.filepath) overlap")
                }
            }
        }
        // Every image is there, hard-linked to the training data.
        for row in dataset.rows.prefix(5) {
            #expect(FileManager.default.fileExists(atPath: row.imageURL.path))
            #expect(row.caption == CaptionTemplates.caption(for: row.label, key: String(row.filepath.dropFirst(7).dropLast(10))))
        }
        let table = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(table.contains("| class | train | val | test |") && table.contains("| fakeout/down |"))
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func theCommandHoldsOutEverySymbolNamedRepeatedOrCommaSeparated() async throws {
        let binary = try #require(CommandLineTool.binary)
        let input = try await Self.trainingData.value
        let output = try Fixtures.temporaryDirectory("holdout-cli")
        defer { try? FileManager.default.removeItem(at: output) }
        // Repeating the option once kept only its last value; both forms now hold out both.
        for (k, form) in [["--holdout-symbols", "AAAUSDT", "--holdout-symbols", "bbbusdt"], ["--holdout-symbols", "AAAUSDT, BBBUSDT"]].enumerated() {
            let out = output.appendingPathComponent("d\(k)")
            let result = try await CommandLineTool.runAsync(binary, ["prepare-dataset", "--input", input.path, "--output", out.path] + form)
            #expect(result.status == 0, "\(result.errors)")
            let dataset = try VisionDataset.load(out)
            #expect(!dataset.rows.isEmpty && dataset.rows.allSatisfy { $0.split == .holdout }, "\(form)")
        }
    }

    @Test func trainingOnlySymbolsGoWhollyToTrainFromTheLibraryAndTheCommand() async throws {
        let input = try await Self.trainingData.value
        let output = try Fixtures.temporaryDirectory("training-symbols")
        defer { try? FileManager.default.removeItem(at: output) }
        let plain = output.appendingPathComponent("plain"), widened = output.appendingPathComponent("widened")
        _ = try DatasetPreparation.prepare(input: input, output: plain, options: .init(split: try TimeSplit()))
        _ = try DatasetPreparation.prepare(
            input: input, output: widened, options: .init(split: try TimeSplit(trainingSymbols: ["BBBUSDT"])))
        let a = try VisionDataset.load(plain), b = try VisionDataset.load(widened)
        let bbb = b.rows.filter { $0.symbol == "BBBUSDT" }
        #expect(!bbb.isEmpty && bbb.allSatisfy { $0.split == .train })
        #expect(a.rows.filter { $0.symbol == "BBBUSDT" }.contains { $0.split != .train })
        // The other symbol's splits do not move.
        #expect(a.rows.filter { $0.symbol == "AAAUSDT" }.map(\.split) == b.rows.filter { $0.symbol == "AAAUSDT" }.map(\.split))
        guard let binary = CommandLineTool.binary else {
            print("trainingOnlySymbolsGoWhollyToTrainFromTheLibraryAndTheCommand: command skipped, build the chartclip product first")
            return
        }
        let out = output.appendingPathComponent("cli")
        let result = try await CommandLineTool.runAsync(binary, ["prepare-dataset", "--input", input.path, "--output", out.path, "--training-symbols", "bbbusdt"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(try VisionDataset.load(out).rows.map(\.split) == b.rows.map(\.split))
        let clash = try await CommandLineTool.runAsync(
            binary, ["prepare-dataset", "--input", input.path, "--output", out.path, "--training-symbols", "BBBUSDT", "--holdout-symbols", "BBBUSDT"])
        #expect(clash.status != 0 && clash.errors.contains("BBBUSDT is both"), "\(clash.errors)")
    }

    @Test func heldOutSymbolsFormTheirOwnSplit() async throws {
        let input = try await Self.trainingData.value
        let output = try Fixtures.temporaryDirectory("holdout")
        defer { try? FileManager.default.removeItem(at: output) }
        let split = try TimeSplit(valFraction: 0.1, testFraction: 0.2, holdoutSymbols: ["BBBUSDT"])
        _ = try DatasetPreparation.prepare(input: input, output: output, options: .init(split: split))
        let dataset = try VisionDataset.load(output)
        #expect(dataset.rows.filter { $0.symbol == "BBBUSDT" }.allSatisfy { $0.split == .holdout })
        #expect(dataset.rows.filter { $0.symbol == "AAAUSDT" }.allSatisfy { $0.split != .holdout })
        #expect(dataset.rows(in: .holdout).count == dataset.rows.filter { $0.symbol == "BBBUSDT" }.count)
        #expect(dataset.filtered(to: [.train, .val]).rows.allSatisfy { $0.split == .train || $0.split == .val })
    }

    @Test func incompleteAndCorruptSamplesAreReportedAndSkipped() async throws {
        let input = try await Self.copy()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        let output = input.deletingLastPathComponent().appendingPathComponent("vision_dataset")
        let ids = try TrainingDataInventory.read(input).samples.map(\.name)
        func url(_ file: String) -> URL { input.appendingPathComponent(file) }
        try FileManager.default.removeItem(at: url(ids[0].chartFile))
        try Data("not a png".utf8).write(to: url(ids[1].chartFile))
        let label = try String(contentsOf: url(ids[2].labelFile), encoding: .utf8)
        try label.replacingOccurrences(of: #""setup_type"\s*:\s*"[a-z_]+""#, with: #""setup_type": "moonshot""#, options: .regularExpression)
            .write(to: url(ids[2].labelFile), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: url(ids[3].labelFile))
        try FileManager.default.removeItem(at: url(ids[4].metaFile))

        let report = try DatasetPreparation.prepare(
            input: input, output: output, options: .init(split: try TimeSplit()))
        let reasons = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.sample, $0.reason) })
        #expect(reasons.count == 5)
        #expect(reasons[ids[0].id]?.contains("missing chart") == true)
        #expect(reasons[ids[1].id]?.contains("unreadable PNG") == true)
        #expect(reasons[ids[2].id]?.contains("invalid label") == true, "\(reasons[ids[2].id] ?? "")")
        #expect(reasons[ids[3].id]?.contains("incomplete") == true)
        #expect(reasons[ids[4].id]?.contains("missing meta") == true)
        let csv = try String(contentsOf: output.appendingPathComponent("dataset.csv"), encoding: .utf8)
        for id in ids.prefix(5) { #expect(!csv.contains(id.id)) }
        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains(ids[1].id) && markdown.contains("## Skipped samples"))
    }

    @Test func theSameInputGivesByteIdenticalOutput() async throws {
        let input = try await Self.trainingData.value
        let root = try Fixtures.temporaryDirectory("determinism")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = DatasetPreparation.Options(split: try TimeSplit(holdoutSymbols: ["AAAUSDT"]))
        options.threads = 1
        for name in ["a", "b"] {
            _ = try DatasetPreparation.prepare(input: input, output: root.appendingPathComponent(name), options: options)
        }
        options.threads = 2
        _ = try DatasetPreparation.prepare(input: input, output: root.appendingPathComponent("a"), options: options)
        for file in ["dataset.csv", "report.json", "report.md"] {
            let a = try Data(contentsOf: root.appendingPathComponent("a/\(file)"))
            #expect(a == (try Data(contentsOf: root.appendingPathComponent("b/\(file)"))), "\(file)")
        }
        let images = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("a/images").path)
        #expect(images.count == (try VisionDataset.load(root.appendingPathComponent("a"))).rows.count)
    }

    @Test func theEmbargoPurgesTheWindowsThatReachIntoTheNextSplit() throws {
        // Ten charts of 10 candles (units of 1 ms here) every 2: windows overlap heavily.
        let items = (0..<10).map { TimeSplit.Item(symbol: "X", startMs: Int64(2 * $0), endMs: Int64(2 * $0 + 10)) }
        let splits = try TimeSplit(valFraction: 0.2, testFraction: 0.2).assign(items)
        // By count: 6 train, 2 val, 2 test. Val (starts 12, 14) overlaps test (starts 16): both
        // val charts end after 16 and go; then train charts ending after 16 (test's start, now
        // the earliest later window) go too.
        #expect(splits == [.train, .train, .train, .train, nil, nil, nil, nil, .test, .test])
        let gap = try TimeSplit(valFraction: 0.5, testFraction: 0, embargoMs: 3).assign(
            (0..<4).map { TimeSplit.Item(symbol: "Y", startMs: Int64(10 * $0), endMs: Int64(10 * $0 + 8)) })
        // Windows 0–8, 10–18 | 20–28, 30–38; with a 3 ms embargo, 10–18 is too close to 20.
        #expect(gap == [.train, nil, .val, .val])
    }

    @Test func theLoaderNamesTheLineAndColumnOfABadRow() throws {
        let folder = try Fixtures.temporaryDirectory("csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("dataset.csv")
        let header = DatasetCSV.columns.joined(separator: ",")
        let good = "images/A_20250101_0000_chart.png,\"breakout above resistance, in trend up phase\",breakout,up,trend_up,0.8,A,2025-01-01T00:00:00Z,train"
        try "\(header)\n\(good)\n".write(to: csv, atomically: true, encoding: .utf8)
        let dataset = try VisionDataset.load(csv)
        #expect(dataset.rows.count == 1 && dataset.rows[0].caption == "breakout above resistance, in trend up phase")
        #expect(dataset.rows[0].label.match == SetupMatch(.breakout, .up) && dataset.rows[0].split == .train)
        try "\(header)\n\(good)\n\(good.replacingOccurrences(of: ",up,", with: ",sideways,"))\n".write(
            to: csv, atomically: true, encoding: .utf8)
        #expect { try VisionDataset.load(folder) } throws: { "\($0)".contains("line 3") && "\($0)".contains("setup_direction") }
    }
}
