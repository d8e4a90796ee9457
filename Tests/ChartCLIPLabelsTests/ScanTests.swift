import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip scan` as a library: complete samples, nothing overwritten, re-runs skip, and a
/// scan stopped at any point leaves nothing that looks complete but is not.
@Suite struct ScanTests {
    /// 400 synthetic candles: 11 windows of 96 every 28 candles, drawn at 48 pixels.
    static let series: CandleSeries = {
        var c = SyntheticMarket.Configuration()
        c.bars = 400
        return SyntheticMarket.generate(c).series
    }()

    static func options() -> ScanOptions {
        var o = ScanOptions()
        o.stride = 28
        o.chartSize = 48
        o.progress = false
        o.source = "test"
        return o
    }

    static func files(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }

    @Test func aScanWritesCompleteSamplesAndARerunSkipsThemAll() async throws {
        let folder = try Fixtures.temporaryDirectory("scan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scanner = try TrainingDataScanner(options: Self.options())
        let first = try await scanner.scan(Self.series, into: folder)
        #expect(first.written == 11 && first.skipped == 0 && first.failures.isEmpty)
        let written = try Self.files(folder)
        #expect(written.count == 11 * 3 + 2)  // three files per chart, labels.jsonl, chart_settings.json
        // The newest window ends on the last candle: 400 candles of 15m from 2025-01-01 00:00.
        let newest = "SYNTHUSDT_20250105_0400"
        #expect(written["\(newest)_chart.png"]?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true)
        let meta = try JSONDecoder().decode(TrainingSampleMeta.self, from: try #require(written["\(newest)_meta.json"]))
        #expect(meta.window == 96 && meta.closeTimeMs - meta.windowStartMs == 96 * 900_000)
        #expect(meta.features.bars == 96 && meta.chart == "\(newest)_chart.png" && meta.source == "test")
        let record = try JSONDecoder().decode(TrainingSampleLabel.self, from: try #require(written["\(newest)_label.json"]))
        #expect(record.timestamp == "2025-01-05T04:00:00Z" && record.labeler == "local")
        #expect(record.label == (try LocalLabeler().label(Self.series, window: 304..<400)))
        let text = String(decoding: try #require(written["labels.jsonl"]), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 11 && text.contains(#""setup":"#))

        let second = try await scanner.scan(Self.series, into: folder)
        #expect(second.written == 0 && second.skipped == 11)
        #expect(try Self.files(folder) == written, "a re-run changes no byte")

        // A journal with a line repeated (two copies merged by hand) counts each chart once.
        let journal = folder.appendingPathComponent("labels.jsonl")
        let firstLine = String(text.split(separator: "\n")[0])
        try AtomicFile.appendLine(firstLine, to: journal)
        let (records, bad, duplicates) = try LabelsJournal.loadCounted(journal)
        #expect(records.count == 11 && bad.isEmpty && duplicates == [12])
    }

    /// A folder holds one kind of chart: a scan with another size or window is refused before
    /// it writes, and charts of two sizes merged by hand are refused by prepare-dataset.
    @Test func aScanWithOtherChartSettingsIsRefusedAndAMixIsNotPrepared() async throws {
        let folder = try Fixtures.temporaryDirectory("scan-settings")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await TrainingDataScanner(options: Self.options()).scan(Self.series, into: folder)
        let settings = try JSONDecoder().decode(
            TrainingDataSettings.self, from: Data(contentsOf: folder.appendingPathComponent(TrainingDataSettings.fileName)))
        #expect(settings.chartSize == 48 && settings.window == 96)
        let before = try Self.files(folder)
        var bigger = Self.options()
        bigger.chartSize = 64
        await #expect {
            _ = try await TrainingDataScanner(options: bigger).scan(Self.series, into: folder)
        } throws: { "\($0)".contains("48-pixel charts of 96 candles") && "\($0)".contains("64-pixel charts") && "\($0)".contains(folder.path) }
        #expect(try Self.files(folder) == before, "nothing was written")

        // A folder from before the settings file: one of its charts tells the size.
        try FileManager.default.removeItem(at: folder.appendingPathComponent(TrainingDataSettings.fileName))
        await #expect {
            _ = try await TrainingDataScanner(options: bigger).scan(Self.series, into: folder)
        } throws: { "\($0)".contains("48x48 charts") }

        // Charts of two sizes merged into one folder by hand.
        let other = try Fixtures.temporaryDirectory("scan-settings-64")
        defer { try? FileManager.default.removeItem(at: other) }
        _ = try await TrainingDataScanner(options: bigger).scan(Self.series, into: other, windows: [304..<400])  // the newest chart of `folder`
        let bigChart = try #require(try FileManager.default.contentsOfDirectory(atPath: other.path).first { $0.hasSuffix("_chart.png") })
        try Data(contentsOf: other.appendingPathComponent(bigChart)).write(to: folder.appendingPathComponent(bigChart))  // replaces a 48-pixel chart
        #expect {
            _ = try DatasetPreparation.prepare(input: folder, output: folder.appendingPathComponent("out"), options: .init(split: try TimeSplit()))
        } throws: { "\($0)".contains("mixes chart sizes") && "\($0)".contains("48x48") && "\($0)".contains("64x64") }
    }

    @Test func staleTemporariesOfDeadWritersAreRemoved() throws {
        let folder = try Fixtures.temporaryDirectory("stale-tmp")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dead = ".latest.h5.tmp-99999999-123", alive = ".best.h5.tmp-\(getpid())-456", other = ".hidden-config"
        for name in [dead, alive, other, "latest.h5"] { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
        #expect(AtomicFile.removeStaleTemporaries(in: folder) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [other, alive, "latest.h5"].sorted())
    }

    @Test func aScanDrawsItsOverlaysAndRecordsEachFlatInTheMetaFile() async throws {
        let folder = try Fixtures.temporaryDirectory("scan-overlays")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = Self.options()
        options.overlays = ChartOverlays(
            exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5, adxLevels: [20, 25], volumeHighlight: true,
            brokenLevels: true)
        let result = try await TrainingDataScanner(options: options).scan(Self.series, into: folder)
        #expect(result.written == 11)
        let newest = "SYNTHUSDT_20250105_0400"
        let data = try Data(contentsOf: folder.appendingPathComponent("\(newest)_meta.json"))
        let meta = try JSONDecoder().decode(TrainingSampleMeta.self, from: data)
        #expect(meta.exponentialAverages == [20, 50] && meta.channel == 20 && meta.adx == 14 && meta.volumeLine == 1.5)
        #expect(meta.adxLevels == [20, 25] && meta.volumeHighlight == true && meta.brokenLevels == true)
        #expect(String(decoding: data, as: UTF8.self).contains(#""volume_highlight" : true"#))
        #expect(String(decoding: data, as: UTF8.self).contains(#""broken_levels" : true"#))
        let chart = try PNGCodec.read(from: folder.appendingPathComponent("\(newest)_chart.png"))
        let drawn = try CandlestickRenderer(options: .training(size: 48, overlays: options.overlays)).render(Self.series, window: 304..<400)
        #expect(chart == drawn)
        // Without the highlight the key is absent, so older meta files read the same.
        options.overlays.volumeHighlight = false
        options.overlays.brokenLevels = false
        let plainFolder = try Fixtures.temporaryDirectory("scan-overlays-plain")
        defer { try? FileManager.default.removeItem(at: plainFolder) }
        _ = try await TrainingDataScanner(options: options).scan(Self.series, into: plainFolder)
        let plain = try Data(contentsOf: plainFolder.appendingPathComponent("\(newest)_meta.json"))
        #expect(!String(decoding: plain, as: UTF8.self).contains("volume_highlight"))
        #expect(!String(decoding: plain, as: UTF8.self).contains("broken_levels"))
        #expect(try JSONDecoder().decode(TrainingSampleMeta.self, from: plain).volumeHighlight == nil)
        #expect(try JSONDecoder().decode(TrainingSampleMeta.self, from: plain).brokenLevels == nil)
    }

    @Test func aStoppedScanLeavesOnlyIncompleteSamplesThatTheNextScanFinishes() async throws {
        let folder = try Fixtures.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scanner = try TrainingDataScanner(options: Self.options())
        _ = try await scanner.scan(Self.series, into: folder)
        let complete = try Self.files(folder)
        let journal = folder.appendingPathComponent("labels.jsonl")
        // Crash states: (1) stopped before a label file (chart and meta written, a temporary
        // label file left behind); (2) stopped between a label file and its journal line;
        // (3) a journal line torn in the middle.
        let names = complete.keys.filter { $0.hasSuffix("_label.json") }.sorted()
        try FileManager.default.removeItem(at: folder.appendingPathComponent(names[3]))
        try Data("{\"sampl".utf8).write(to: folder.appendingPathComponent(".\(names[3]).tmp-1-2"))
        let lines = String(decoding: complete["labels.jsonl"]!, as: UTF8.self).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n" + lines.last!.prefix(20)).write(
            to: journal, atomically: true, encoding: .utf8)

        let inventory = try TrainingDataInventory.read(folder)
        #expect(inventory.samples.count == 10)
        #expect(inventory.problems.map(\.sample) == [String(names[3].dropLast("_label.json".count))])
        #expect(inventory.problems.first?.reason.contains("incomplete") == true)

        let rerun = try await scanner.scan(Self.series, into: folder)
        #expect(rerun.written == 1 && rerun.skipped == 10)
        let (records, bad) = try LabelsJournal.load(journal)
        #expect(bad.count == 1, "the torn line stays, alone on its line")
        #expect(records.count == 11 && Set(records.map(\.sample)).count == 11, "every sample once, none twice")
        for (name, data) in complete where name != "labels.jsonl" {
            #expect(try Data(contentsOf: folder.appendingPathComponent(name)) == data, "\(name) is as before")
        }
    }

    /// A labeler that fails on one chart: that sample is not written at all, the others are.
    struct FlakyLabeler: ChartLabeler {
        let failAt: Int64
        var name: String { "flaky" }
        func label(_ request: LabelRequest) async throws -> ChartLabel {
            if request.context.closeTimeMs == failAt { throw GPTLabelerError.invalidAnswer(reason: "test", answer: "?") }
            return try LocalLabeler().label(candles: request.candles)
        }
    }

    @Test func aWindowWhoseLabellingFailsWritesNothing() async throws {
        let folder = try Fixtures.temporaryDirectory("flaky")
        defer { try? FileManager.default.removeItem(at: folder) }
        let failing = Self.series.closeTime(at: 399 - 28)
        let scanner = try TrainingDataScanner(options: Self.options(), labeler: FlakyLabeler(failAt: failing))
        let summary = try await scanner.scan(Self.series, into: folder)
        #expect(summary.written == 10 && summary.failures.count == 1)
        let stem = TrainingSampleName(symbol: "SYNTHUSDT", closeTimeMs: failing).id
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(stem) }
        #expect(left.isEmpty, "no chart, meta or label of the failed window: \(left)")
    }

    @Test func anotherIntervalOfTheSameSymbolIsRefusedRatherThanSkipped() async throws {
        let folder = try Fixtures.temporaryDirectory("intervals")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scanner = try TrainingDataScanner(options: Self.options())
        _ = try await scanner.scan(Self.series, into: folder)
        let hourly = try Self.series.resampled(to: .h1)
        await #expect { try await scanner.scan(hourly, into: folder) } throws: { "\($0)".contains("collide") }
    }

    @Test func syntheticTrainingDataRecordsTheGroundTruthOfPlantedCharts() async throws {
        let folder = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = SyntheticTrainingData.Options()
        options.market.bars = 900
        options.scan = Self.options()
        options.windows = .planted
        let output = try await SyntheticTrainingData.generate(into: folder, options: options)
        let planted = output.market.setups.filter { $0.barIndex >= 95 }
        #expect(output.summary.written == planted.count && planted.count >= 8)
        let inventory = try TrainingDataInventory.read(folder)
        for sample in inventory.samples {
            let truth = try #require(sample.meta.groundTruth, "\(sample.name) ends on a planted setup")
            #expect(sample.record.label.match == truth.match && sample.record.label.phaseType == truth.phaseType)
            #expect(sample.meta.source == "test")
        }
    }
}
