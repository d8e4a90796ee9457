import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import ChartCLIPTraining
import Foundation
import Testing

/// Datasets a config names are prepared into, and reused from, the cache.
@Suite struct DatasetSourceTests {
    @Test func twentySixMarketsPrepareIntoACacheFolderTheFileSystemAccepts() async throws {
        let cache = try Fixtures.temporaryDirectory("dataset-source")
        var s = SyntheticDataConfig()
        s.symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".map { "SYNTH\($0)USDT" }
        s.bars = 200
        s.window = 32
        s.stride = 40
        let dataset = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(Set(dataset.rows.map(\.symbol)).count == 26)
        let folders = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("synthetic").path)
        #expect(folders.count == 1 && folders[0].utf8.count <= 200)
        // The cut name's folder holds the whole key.
        let key = try String(contentsOf: cache.appendingPathComponent("synthetic/\(folders[0])/cache_key.txt"), encoding: .utf8)
        #expect(key.hasPrefix("SYNTHAUSDT-SYNTHBUSDT") && key.contains("SYNTHZUSDT_b200_s") && key.contains("_px32"))
        // Prepared again, the same folder is reused.
        let again = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(again.rows.count == dataset.rows.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("synthetic").path) == folders)
    }

    /// A generated dataset keeps the sharpness of every chart beside dataset.csv: each chart
    /// labelled again, at the rules' thresholds moved 5% and 15% either way, on the very
    /// window it was drawn from (planted charts off the stride grid included). A dataset
    /// cached before datasets had the file gets it when next loaded.
    @Test func aGeneratedDatasetCarriesEachChartsSharpness() async throws {
        let cache = try Fixtures.temporaryDirectory("dataset-sharpness")
        var s = SyntheticDataConfig()
        s.symbols = ["SYNTHAUSDT", "SYNTHBUSDT"]
        s.bars = 1500
        s.window = 32
        s.stride = 7
        let dataset = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        let file = dataset.root.appendingPathComponent(ChartSharpness.datasetFileName)
        let sharpness = try #require(try ChartSharpness.ofDataset(at: dataset.root))
        #expect(sharpness.margins == [0.05, 0.15])
        // Every window of each market, read the old way (stride 1), is the reference.
        var reference: [String: [Bool]] = [:]
        var index: [String: Int] = [:]
        for (i, symbol) in s.symbols.enumerated() {
            var market = SyntheticMarket.Configuration()
            market.symbol = symbol
            market.bars = s.bars
            market.seed = UInt64(s.seed + i)
            let series = SyntheticMarket.generate(market).series
            for i in series.candles.indices { index[symbol + "|" + UTCTime.iso(milliseconds: series.closeTime(at: i))] = i }
            for r in try LabelDistribution.readings(series, window: 32, stride: 1, margins: [0.05, 0.15], threads: 2) {
                reference[symbol + "|" + UTCTime.iso(milliseconds: r.closeTimeMs)] = r.changes
            }
        }
        var changed = [0, 0], offGrid = 0
        for row in dataset.rows {
            let changes = try #require(sharpness.changes(symbol: row.symbol, timestamp: row.timestamp), "\(row.symbol) \(row.timestamp)")
            #expect(changes == reference[row.symbol + "|" + row.timestamp])
            for m in 0..<2 where changes[m] { changed[m] += 1 }
            // The stride grid ends on the last candle and steps back 7 at a time.
            let i = try #require(index[row.symbol + "|" + row.timestamp])
            if (s.bars - 1 - i) % 7 != 0 { offGrid += 1 }
        }
        #expect(changed[0] > 0 && changed[1] > changed[0], "\(changed)")
        #expect(offGrid > 0 && offGrid < dataset.rows.count / 2, "planted charts off the stride grid are measured too: \(offGrid)")
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written.split(separator: "\n").count == dataset.rows.count + 1)
        // A cached dataset without the file gets the same one back.
        try FileManager.default.removeItem(at: file)
        _ = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(try String(contentsOf: file, encoding: .utf8) == written)
        // So does one whose file predates the deciding_at_ columns; a current file is kept.
        let old = written.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(7).joined(separator: ",") }
        try (old.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try ChartSharpness.ofDataset(at: dataset.root)?.hasDecidingThresholds == false)
        _ = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(try String(contentsOf: file, encoding: .utf8) == written)
        // And one whose file predates the deciding_bar_counts column.
        let older = written.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(9).joined(separator: ",") }
        try (older.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let reread = try #require(try ChartSharpness.ofDataset(at: dataset.root))
        #expect(reread.hasDecidingThresholds && !reread.hasDecidingBarCounts)
        _ = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(try String(contentsOf: file, encoding: .utf8) == written)
        let modified = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date
        _ = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date == modified)
    }
}
