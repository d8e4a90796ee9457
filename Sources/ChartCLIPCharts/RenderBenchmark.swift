import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport
import Dispatch
import Foundation

/// Chart-rendering throughput: charts per second for rendering plus PNG encoding, on one
/// thread or many. `chartclip bench render` prints it.
///
/// Every chart is a different window of a seeded random-walk series, rendered into a
/// reused canvas and encoded to PNG in memory (`writeTo` adds atomic file writes, which
/// measures the disk too). Timing is wall-clock over all charts after one warm-up chart,
/// plus the process CPU time: on a shared machine, charts per CPU-second is the rate one
/// free core would reach, while wall-clock charts/s depends on what else is running.
public enum RenderBenchmark {
    /// One measurement.
    public struct Result: Equatable, Sendable {
        /// Worker threads.
        public var threads: Int
        /// Charts rendered.
        public var charts: Int
        /// Wall-clock seconds for all charts.
        public var seconds: Double
        /// CPU seconds the process used meanwhile (all threads).
        public var cpuSeconds: Double
        /// Mean PNG size in bytes.
        public var meanPNGBytes: Double
        /// Charts per wall-clock second.
        public var chartsPerSecond: Double { seconds > 0 ? Double(charts) / seconds : 0 }
        /// Charts per CPU-second: the throughput of one fully available core.
        public var chartsPerCPUSecond: Double { cpuSeconds > 0 ? Double(charts) / cpuSeconds : 0 }
    }

    /// A seeded random-walk series of `count` 15-minute candles for benchmarks and demos
    /// (independent of the synthetic market, so the benchmark never changes with it).
    public static func randomWalk(count: Int, symbol: String = "BENCHUSDT", seed: UInt64 = 7) -> CandleSeries {
        var state = seed
        func uniform() -> Double {
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var price = 100.0
        var candles: [Candle] = []
        candles.reserveCapacity(count)
        let start: Int64 = 1_748_736_000_000  // 2025-06-01T00:00:00Z
        for i in 0..<count {
            let open = price
            let close = open * (1 + (uniform() - 0.5) * 0.02)
            let high = max(open, close) * (1 + uniform() * 0.006)
            let low = min(open, close) * (1 - uniform() * 0.006)
            price = close
            candles.append(
                Candle(
                    startTime: start + Int64(i) * CandleInterval.m15.milliseconds, open: open, high: high,
                    low: low, close: close, volume: 1000 * (0.2 + uniform() * uniform() * 4)))
        }
        return CandleSeries(symbol: symbol, interval: .m15, candles: candles)
    }

    /// Renders and encodes `charts` charts of `window` candles with `options` on `threads`
    /// threads (0 = one per core) and times it.
    public static func run(
        options: ChartOptions = .training(), window: Int = 96, charts: Int = 2000, threads: Int = 1,
        compression: PNGCodec.Compression = .fast, writeTo folder: URL? = nil
    ) throws -> Result {
        let renderer = try CandlestickRenderer(options: options)
        let series = randomWalk(count: window + 997)
        let windowCount = series.candles.count - window + 1
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let state = BenchState()
        if let folder { try AtomicFile.createDirectory(folder) }
        // One warm-up chart so first-touch allocations are not timed.
        _ = try renderer.render(series, window: 0..<window).pngData(compression: compression)
        let started = DispatchTime.now().uptimeNanoseconds
        let cpuStarted = processCPUSeconds()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var canvas = RasterImage(width: options.width, height: options.height, background: options.style.background)
            var bytes = 0
            var k = worker
            do {
                while k < charts {
                    let start = (k * 7) % windowCount
                    try renderer.render(series, window: start..<(start + window), into: &canvas)
                    let png = try canvas.pngData(compression: compression)
                    if let folder {
                        try AtomicFile.write(png, to: folder.appendingPathComponent("bench_\(k).png"))
                    }
                    bytes += png.count
                    k += workers
                }
                state.add(bytes: bytes)
            } catch {
                state.fail(error)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpuSeconds = processCPUSeconds() - cpuStarted
        if let error = state.error { throw error }
        return Result(
            threads: workers, charts: charts, seconds: seconds, cpuSeconds: cpuSeconds,
            meanPNGBytes: Double(state.bytes) / Double(max(charts, 1)))
    }

    /// CPU time used by this process so far, all threads, in seconds.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Totals shared by benchmark workers.
private final class BenchState: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var bytes = 0
    private(set) var error: Error?

    func add(bytes count: Int) {
        lock.lock()
        bytes += count
        lock.unlock()
    }

    func fail(_ failure: Error) {
        lock.lock()
        if error == nil { error = failure }
        lock.unlock()
    }
}
