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
}
