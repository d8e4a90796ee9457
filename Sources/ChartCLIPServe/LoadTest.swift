import AsyncHTTPClient
import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation
import NIOCore
import NIOHTTP1

/// `chartclip load-test`: a bounded number of clients send prediction requests to a server
/// for a bounded time; the figures people compare servers by.
public enum LoadTest {
    /// What each client sends.
    public enum Body: String, Sendable, CaseIterable {
        /// JSON candles the server draws (the whole path: parse, render, predict).
        case candles
        /// A chart PNG of the predictor's size (decode and predict).
        case png
    }

    /// How hard and how long.
    public struct Options: Sendable {
        /// The server, e.g. `http://127.0.0.1:8080`.
        public var url: String
        /// Concurrent clients, each with one request in flight.
        public var clients = 8
        /// Seconds of load.
        public var seconds = 10.0
        /// What the clients send.
        public var body = Body.candles
        /// Seconds of the same load before the measured part (pools and caches fill), so the
        /// memory figures compare the steady state.
        public var warmupSeconds = 2.0

        /// Load against `url`.
        public init(url: String) { self.url = url }
    }

    /// What one load test measured.
    public struct Result: Sendable, Codable {
        /// Requests answered 200.
        public var succeeded: Int
        /// Requests answered otherwise, or not at all.
        public var errors: Int
        /// Wall-clock seconds of load.
        public var seconds: Double
        /// Latency percentiles of the successful requests, in milliseconds.
        public var p50: Double, p95: Double, p99: Double
        /// The server's resident memory before and after, from `/metrics` (bytes).
        public var memoryBefore: Double?, memoryAfter: Double?
        /// Mean charts per forward pass during the run, from `/metrics`.
        public var meanBatch: Double?

        /// Successful requests per second.
        public var requestsPerSecond: Double { Double(succeeded) / max(seconds, 1e-9) }

        /// One line of figures.
        public var line: String {
            let mb = { (b: Double?) in b.map { String(format: "%.1f MB", $0 / 1e6) } ?? "?" }
            return String(
                format: "%.1f requests/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %d errors, mean batch %@, memory %@ -> %@",
                requestsPerSecond, p50, p95, p99, errors, meanBatch.map { String(format: "%.1f", $0) } ?? "?",
                mb(memoryBefore), mb(memoryAfter))
        }
    }

    /// Runs the load and reads the server's metrics around it.
    ///
    /// - Throws: `ChartCLIPError` when the server does not answer `/healthz`.
    public static func run(_ options: Options, progress: ((String) -> Void)? = nil) async throws -> Result {
        guard options.clients >= 1, options.clients <= 4096 else {
            throw ChartCLIPError("--clients \(options.clients) is outside 1–4096")
        }
        guard options.seconds.isFinite, options.seconds > 0, options.seconds <= 3600 else {
            throw ChartCLIPError("--seconds \(options.seconds) is outside (0, 3600]")
        }
        let base = options.url.hasSuffix("/") ? String(options.url.dropLast()) : options.url
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await run(options, base: base, client: client, progress: progress)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func run(_ options: Options, base: String, client: HTTPClient, progress: ((String) -> Void)?) async throws -> Result {
        let health = try await get(base + "/healthz", client: client)
        guard let info = try? JSONSerialization.jsonObject(with: health) as? [String: String],
            let window = info["chart_window"].flatMap(Int.init), let size = info["image_size"].flatMap(Int.init)
        else {
            throw ChartCLIPError("\(base)/healthz did not answer a ChartCLIP server's health record", hint: "start one with chartclip serve")
        }
        let (payload, path, contentType) = try requestBody(options.body, window: window, size: size)
        progress?("load: \(options.clients) clients for \(options.warmupSeconds) s of warm-up and \(options.seconds) s measured on \(path) (\(options.body.rawValue), \(payload.count) bytes)")
        if options.warmupSeconds > 0 {
            _ = await load(options, seconds: options.warmupSeconds, url: base + path, payload: payload, contentType: contentType, client: client)
        }
        let before = try await metrics(base, client: client)
        let t0 = Timing.now()
        let perClient = await load(options, seconds: options.seconds, url: base + path, payload: payload, contentType: contentType, client: client)
        let seconds = Timing.now() - t0
        let after = try await metrics(base, client: client)
        let latencies = perClient.flatMap(\.0).sorted()
        let quantile = { (q: Double) -> Double in
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((q * Double(latencies.count)).rounded(.down)))] * 1000
        }
        var meanBatch: Double?
        if let sum0 = before["chartclip_batch_size_sum"], let count0 = before["chartclip_batch_size_count"],
            let sum1 = after["chartclip_batch_size_sum"], let count1 = after["chartclip_batch_size_count"], count1 > count0
        {
            meanBatch = (sum1 - sum0) / (count1 - count0)
        }
        return Result(
            succeeded: latencies.count, errors: perClient.map(\.1).reduce(0, +), seconds: seconds,
            p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99),
            memoryBefore: before["chartclip_resident_memory_bytes"], memoryAfter: after["chartclip_resident_memory_bytes"],
            meanBatch: meanBatch)
    }

    /// `options.clients` clients, each with one request in flight, for `seconds`: each
    /// client's latencies of answered requests and its count of errors.
    static func load(
        _ options: Options, seconds: Double, url: String, payload: Data, contentType: String, client: HTTPClient
    ) async -> [([Double], Int)] {
        let deadline = Timing.now() + seconds
        return await withTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<options.clients {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    while Timing.now() < deadline {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: contentType)
                        request.body = .bytes(ByteBuffer(bytes: payload))
                        let started = Timing.now()
                        do {
                            let response = try await client.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            if response.status == .ok { latencies.append(Timing.now() - started) } else { errors += 1 }
                        } catch {
                            errors += 1
                        }
                    }
                    return (latencies, errors)
                }
            }
            var all: [([Double], Int)] = []
            for await r in group { all.append(r) }
            return all
        }
    }

    /// A request of the kind asked for: synthetic candles drawn into one chart of `window` candles.
    static func requestBody(_ body: Body, window: Int, size: Int) throws -> (Data, String, String) {
        var market = SyntheticMarket.Configuration()
        market.bars = max(window, 1) + 60
        let series = SyntheticMarket.generate(market).series
        switch body {
        case .candles:
            let rows = series.candles.map { c in [Double(c.startTime), c.open, c.high, c.low, c.close, c.volume] }
            let json: [String: Any] = ["symbol": series.symbol, "interval": "\(series.interval.minutes)", "candles": rows]
            return (try JSONSerialization.data(withJSONObject: json), "/v1/predict", "application/json")
        case .png:
            let range = (series.candles.count - window)..<series.candles.count
            let image = try CandlestickRenderer(options: .training(size: size)).render(series, window: range)
            let query = "?symbol=\(series.symbol)&interval=\(series.interval.minutes)"
            return (try PNGCodec.encode(image), "/v1/predict" + query, "image/png")
        }
    }

    static func get(_ url: String, client: HTTPClient) async throws -> Data {
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 4 << 20)
            guard response.status == .ok else {
                throw ChartCLIPError("\(url) answered \(response.status.code)", hint: "is this a ChartCLIP server?")
            }
            return Data(body.readableBytesView)
        } catch let error as ChartCLIPError {
            throw error
        } catch {
            throw ChartCLIPError("\(url) did not answer (\(error))", hint: "start the server first: chartclip serve --predictor …")
        }
    }

    /// The unlabelled samples of the server's `/metrics`, by name.
    static func metrics(_ base: String, client: HTTPClient) async throws -> [String: Double] {
        let text = String(decoding: try await get(base + "/metrics", client: client), as: UTF8.self)
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, !parts[0].contains("{"), let value = Double(parts[1]) else { continue }
            samples[String(parts[0])] = value
        }
        return samples
    }
}
