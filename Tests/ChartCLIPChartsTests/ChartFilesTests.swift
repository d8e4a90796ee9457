import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

@Suite("Chart files")
struct ChartFilesTests {
    func series(startingAt iso: String, interval: CandleInterval, count: Int) -> CandleSeries {
        let t0 = UTCTime.parseISO(iso)!
        let candles = (0..<count).map { i in
            let base = 100 + Double(i % 7)
            return Candle(
                startTime: t0 + Int64(i) * interval.milliseconds, open: base, high: base + 2, low: base - 1,
                close: base + (i % 2 == 0 ? 1 : -0.5), volume: Double(10 + i))
        }
        return CandleSeries(symbol: "JSTUSDT", interval: interval, candles: candles)
    }

    @Test("names carry the UTC close time of the last candle: start plus one interval")
    func closeTimeNaming() {
        let s = series(startingAt: "2025-06-23T13:00:00Z", interval: .m15, count: 4)
        // Last candle opens 13:45 and closes 14:00.
        #expect(ChartFileName.name(s, window: 0..<4) == "JSTUSDT_20250623_1400.png")
        #expect(ChartFileName.name(s, window: 0..<2) == "JSTUSDT_20250623_1330.png")
    }

    @Test("a candle closing at midnight or at New Year is stamped with the next day")
    func dayBoundary() {
        let late = series(startingAt: "2025-06-23T23:45:00Z", interval: .m15, count: 1)
        #expect(ChartFileName.name(late, window: 0..<1) == "JSTUSDT_20250624_0000.png")
        let hourly = series(startingAt: "2025-06-30T23:00:00Z", interval: .h1, count: 1)
        #expect(ChartFileName.name(hourly, window: 0..<1) == "JSTUSDT_20250701_0000.png")
        let newYear = series(startingAt: "2024-12-31T23:45:00Z", interval: .m15, count: 1)
        #expect(ChartFileName.name(newYear, window: 0..<1) == "JSTUSDT_20250101_0000.png")
    }

    @Test("the batch renderer writes every strided window once, then skips existing files")
    func batch() throws {
        let folder = try Fixtures.temporaryDirectory("charts")
        let s = series(startingAt: "2025-06-23T00:00:00Z", interval: .m15, count: 20)
        let renderer = try CandlestickRenderer(options: .training(size: 32))
        let batch = try ChartBatchRenderer(renderer: renderer, window: 5, stride: 4, threads: 2)
        // Anchored at the end: the last window holds the newest candle.
        #expect(batch.windows(count: 20) == [3..<8, 7..<12, 11..<16, 15..<20])
        var fromStart = batch
        fromStart.anchoredAtEnd = false
        #expect(fromStart.windows(count: 20) == [0..<5, 4..<9, 8..<13, 12..<17])
        let first = try batch.renderAll(s, to: folder, progress: false)
        #expect(first.written == 4 && first.skipped == 0)
        #expect(first.files.map(\.lastPathComponent) == [
            "JSTUSDT_20250623_0200.png", "JSTUSDT_20250623_0300.png", "JSTUSDT_20250623_0400.png",
            "JSTUSDT_20250623_0500.png",
        ])
        // Each file decodes to the chart of its window.
        let decoded = try PNGCodec.read(from: first.files[1])
        #expect(decoded == (try renderer.render(s, window: 7..<12)))
        let second = try batch.renderAll(s, to: folder, progress: false)
        #expect(second.written == 0 && second.skipped == 4)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.count == 4, "no temporary files are left behind")
    }

    @Test("a series shorter than one window is an error that says so")
    func tooShort() throws {
        let s = series(startingAt: "2025-06-23T00:00:00Z", interval: .m15, count: 3)
        let batch = try ChartBatchRenderer(renderer: try CandlestickRenderer(options: .training()), window: 96)
        let error = #expect(throws: ChartCLIPError.self) {
            try batch.renderAll(s, to: try Fixtures.temporaryDirectory("short"), progress: false)
        }
        #expect(error?.message.contains("fewer than one window") == true)
    }

    @Test("the render benchmark produces charts and a positive rate")
    func benchmark() throws {
        let result = try RenderBenchmark.run(charts: 20, threads: 1)
        #expect(result.charts == 20 && result.chartsPerSecond > 0 && result.meanPNGBytes > 100)
    }
}
