import AsyncHTTPClient
import ChartCLIPCharts
import ChartCLIPDecision
import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPPredictor
import ChartCLIPServe
import ChartCLIPTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// `chartclip serve` against a real server on 127.0.0.1: every endpoint, batching, each bad
/// request's 4xx, reload and drain.
@Suite(.serialized) struct PredictionServerTests {
    static let config = CLIPConfig(
        embedDim: 16,
        visionConfig: VisionConfig(imageSize: 32, patchSize: 8, width: 16, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 16, vocabSize: 49408, width: 16, layers: 1, heads: 2),
        activation: .quickGELU)
    static let window = 48

    /// A random model exported as `name` into `dir`: a predictor for 48-candle charts.
    static func exportPredictor(in dir: URL, name: String, seed: UInt64) throws -> URL {
        let checkpoint = dir.appendingPathComponent("\(name)-model.h5")
        try Checkpoint(model: CLIPModel(config: config, seed: seed)).save(to: checkpoint)
        let out = dir.appendingPathComponent("\(name).h5")
        _ = try PredictorExport.export(
            checkpoint: checkpoint, output: out, name: name, window: window, intervalMinutes: 15, dataset: nil, progress: false)
        return out
    }

    /// A server on a free port, running until `stop()`.
    final class Running: Sendable {
        let server: PredictionServer
        let port: Int
        let group: ServiceGroupHandle
        /// The process-wide client: it never needs shutting down, so a test that fails midway
        /// fails as a test instead of trapping in the client's deinit.
        let client = HTTPClient.shared

        init(server: PredictionServer, port: Int, group: ServiceGroupHandle) {
            self.server = server
            self.port = port
            self.group = group
        }

        var base: String { "http://127.0.0.1:\(port)" }

        func send(
            _ path: String, method: HTTPMethod = .POST, body: Data? = nil, contentType: String = "application/json",
            timeout: TimeAmount = .seconds(120)
        ) async throws
            -> (status: Int, json: [String: Any], text: String)
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let body {
                request.headers.add(name: "content-type", value: contentType)
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 8 << 20)
            let data = Data(bytes.readableBytesView)
            let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            return (Int(response.status.code), json, String(decoding: data, as: UTF8.self))
        }

        func stop() async throws {
            await group.group.triggerGracefulShutdown()
            try await group.task.value
        }
    }

    /// The service group and the task running it.
    struct ServiceGroupHandle: Sendable {
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    static func start(_ predictor: URL, _ configure: (inout ServeOptions) -> Void = { _ in }) async throws -> Running {
        var options = ServeOptions()
        options.port = 0
        configure(&options)
        let server = try PredictionServer(predictor: predictor, options: options)
        let ports = AsyncStream<Int>.makeStream()
        let group = server.serviceGroup(signals: []) { ports.continuation.yield($0) }
        let task = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return Running(server: server, port: port, group: ServiceGroupHandle(group: group, task: task))
    }

    static let series = SyntheticMarket.generate(SyntheticMarket.Configuration()).series

    /// `count` candles ending at candle 299 of the synthetic market, as Bybit lists them:
    /// newest first, every value a string.
    static func candlesJSON(count: Int = 120, extra: [String: Any] = [:]) throws -> Data {
        let candles = series.candles[(300 - count)..<300].reversed().map { c in
            [String(c.startTime), "\(c.open)", "\(c.high)", "\(c.low)", "\(c.close)", "\(c.volume)"]
        }
        var object: [String: Any] = ["symbol": series.symbol, "interval": "15", "candles": candles]
        object.merge(extra) { $1 }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func predictionsEqualThePredictorsOnTheSameChartFromCandlesOrPNG() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-predict")
        let url = try Self.exportPredictor(in: dir, name: "served", seed: 3)
        let running = try await Self.start(url)

        // The reference: the predictor on the chart of the newest 48 candles, drawn as training draws it.
        let predictor = try Predictor(url: url)
        let range = (300 - Self.window)..<300
        let chart = try CandlestickRenderer(options: .training(size: 32, overlays: predictor.file.info.overlays)).render(Self.series, window: range)
        let expected = PredictionService.record(
            predictor.predict([chart])[0], symbol: Self.series.symbol, timestamp: Self.series.closeTime(at: 299),
            interval: .m15, model: predictor.file.info.label, chart: nil)

        let fromCandles = try await running.send("/v1/predict", body: try Self.candlesJSON())
        #expect(fromCandles.status == 200)
        let record = try CVPrediction.parse(Data(fromCandles.text.utf8))
        #expect(record == expected)

        let png = try PNGCodec.encode(chart)
        let fromPNG = try await running.send(
            "/v1/predict?symbol=\(Self.series.symbol)&interval=15&timestamp=\(Self.series.closeTime(at: 299))", body: png,
            contentType: "image/png")
        #expect(fromPNG.status == 200)
        #expect(try CVPrediction.parse(Data(fromPNG.text.utf8)) == expected)

        let health = try await running.send("/healthz", method: .GET)
        #expect(health.status == 200 && health.json["status"] as? String == "ok")
        #expect(health.json["predictor"] as? String == predictor.file.info.label)
        let metrics = try await running.send("/metrics", method: .GET)
        #expect(metrics.text.contains(#"chartclip_requests_total{route="predict",status="200"} 2"#))
        #expect(metrics.text.contains("chartclip_resident_memory_bytes"))
        try await running.stop()
    }

    @Test func decideUsesTheGivenPredictionOrElseTheServedModels() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-decide")
        let running = try await Self.start(try Self.exportPredictor(in: dir, name: "served", seed: 3))

        let given: [String: Any] = [
            "symbol": Self.series.symbol, "timestamp": Self.series.closeTime(at: 299), "interval": "15m",
            "setup": "breakout", "setup_direction": "up", "confidence": 0.93,
        ]
        let withGiven = try await running.send("/v1/decide", body: try Self.candlesJSON(extra: ["prediction": given]))
        #expect(withGiven.status == 200)
        #expect(withGiven.json["prediction_status"] as? String == "used")
        #expect(withGiven.json["cv_adjustment"] as? Double == 0.1)  // the users' rule: breakout > 0.8 adds 0.1
        let reference = try simulateTraderDecisionAdvanced(
            series: CandleSeries(symbol: Self.series.symbol, interval: .m15, candles: Array(Self.series.candles[180..<300])),
            prediction: nil)
        #expect(abs((withGiven.json["base_score"] as? Double ?? .nan) - reference.baseScore) < 1e-12)

        let withModel = try await running.send("/v1/decide", body: try Self.candlesJSON())
        #expect(withModel.status == 200)
        let prediction = try #require(withModel.json["prediction"] as? [String: Any])
        #expect(prediction["model"] as? String == "served v1")
        #expect(withModel.json["prediction_status"] as? String == "used")
        try await running.stop()
    }

    @Test func concurrentRequestsAreAnsweredFromOneBatch() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-batch")
        let running = try await Self.start(try Self.exportPredictor(in: dir, name: "served", seed: 3)) {
            $0.maxBatch = 8
            $0.maxWaitMilliseconds = 1500
        }
        let body = try Self.candlesJSON()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 { group.addTask { try await running.send("/v1/predict", body: body).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 6))
        let metrics = try await running.send("/metrics", method: .GET).text
        #expect(metrics.contains("chartclip_batch_size_count 1"))
        #expect(metrics.contains("chartclip_batch_size_sum 6"))
        try await running.stop()
    }

    @Test func everyBadRequestIsA4xxThatNamesTheProblem() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-bad")
        let running = try await Self.start(try Self.exportPredictor(in: dir, name: "served", seed: 3)) {
            $0.maxCandles = 500
            $0.maxBodyBytes = 64 << 10
        }
        let chart = try PNGCodec.encode(try CandlestickRenderer(options: .training(size: 40)).render(Self.series, window: 0..<48))
        let rightSize = try PNGCodec.encode(try CandlestickRenderer(options: .training(size: 32)).render(Self.series, window: 0..<48))
        func json(_ object: Any) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
        var badCandle = Self.series.candles[0..<60].map { c in [Double(c.startTime), c.open, c.high, c.low, c.close, c.volume] }
        badCandle[3][2] = badCandle[3][3] - 1  // high below low
        let cases: [(String, String, Data, String, Int, String)] = [
            ("not JSON", "/v1/predict", Data("{symbol: BTC".utf8), "application/json", 400, "not JSON"),
            ("an array", "/v1/predict", Data("[1, 2]".utf8), "application/json", 400, "not an object"),
            ("no symbol", "/v1/predict", try json(["interval": "15", "candles": []]), "application/json", 422, "symbol"),
            ("no interval", "/v1/predict", try json(["symbol": "BTCUSDT", "candles": []]), "application/json", 422, "interval"),
            ("bad interval", "/v1/predict", try json(["symbol": "BTCUSDT", "interval": "99999999999999999d", "candles": []]), "application/json", 422, "interval"),
            ("no candles", "/v1/predict", try json(["symbol": "BTCUSDT", "interval": "15"]), "application/json", 422, "candles"),
            ("short candle", "/v1/predict", try json(["symbol": "BTCUSDT", "interval": "15", "candles": [[1, 2, 3]]]), "application/json", 422, "candles[0]"),
            ("word price", "/v1/predict", try json(["symbol": "BTCUSDT", "interval": "15", "candles": [[1_735_689_600_000, 1, "abc", 1, 1, 1]]]), "application/json", 422, "candles[0][2]"),
            ("high below low", "/v1/predict", try json(["symbol": Self.series.symbol, "interval": "15", "candles": badCandle]), "application/json", 422, "candle 3"),
            ("too few candles", "/v1/predict", try Self.candlesJSON(count: 20), "application/json", 422, "48"),
            ("too many candles", "/v1/predict", try json(["symbol": "BTCUSDT", "interval": "15", "candles": Array(repeating: [1], count: 501)]), "application/json", 413, "500"),
            ("too large", "/v1/predict", Data(repeating: 0x20, count: 70 << 10), "application/json", 413, "larger than"),
            ("wrong chart size", "/v1/predict?symbol=BTCUSDT", chart, "image/png", 422, "32x32"),
            ("truncated PNG", "/v1/predict?symbol=BTCUSDT", rightSize.prefix(rightSize.count / 2), "image/png", 400, "PNG"),
            ("PNG without symbol", "/v1/predict", rightSize, "image/png", 422, "symbol"),
            ("bad prediction", "/v1/decide", try Self.candlesJSON(extra: ["prediction": ["confidence": 0.5]]), "application/json", 422, "prediction"),
            ("reload outside the folder", "/v1/reload", try json(["predictor": "../other.h5"]), "application/json", 422, "folder"),
            ("reload of a missing file", "/v1/reload", try json(["predictor": "missing.h5"]), "application/json", 422, "missing.h5"),
        ]
        for (name, path, body, type, status, mention) in cases {
            let answer = try await running.send(path, body: body, contentType: type)
            #expect(answer.status == status, "\(name): \(answer.text)")
            let error = answer.json["error"] as? [String: Any]
            let said = [error?["message"], error?["field"], error?["hint"]].compactMap { $0 as? String }.joined(separator: " ")
            #expect(said.contains(mention), "\(name): \(answer.text)")
        }
        let health = try await running.send("/healthz", method: .GET)
        #expect(health.status == 200 && health.json["predictor"] as? String == "served v1")
        let metrics = try await running.send("/metrics", method: .GET).text
        #expect(metrics.contains(#"chartclip_request_errors_total{route="predict",status="422"}"#))
        #expect(metrics.contains("chartclip_predictor_reload_failures_total 1"))
        try await running.stop()
    }

    @Test func aSlowRequestIsAnswered503AtTheTimeout() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-timeout")
        let running = try await Self.start(try Self.exportPredictor(in: dir, name: "served", seed: 3)) {
            $0.maxBatch = 64
            $0.maxWaitMilliseconds = 2000
            $0.requestTimeoutSeconds = 0.2
        }
        let answer = try await running.send("/v1/predict", body: try Self.candlesJSON())
        #expect(answer.status == 503)
        #expect((answer.json["error"] as? [String: Any])?["message"] as? String == "the request took longer than 0.2 s")
        try await running.stop()
    }

    @Test func reloadServesTheNewVersionWithoutDroppingARequest() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-reload")
        let first = try Self.exportPredictor(in: dir, name: "served", seed: 3)
        _ = try Self.exportPredictor(in: dir, name: "served_v2", seed: 11)
        let running = try await Self.start(first) { $0.maxWaitMilliseconds = 1 }
        let body = try Self.candlesJSON()
        // A client keeps predicting while the predictor is swapped twice, and goes on until it
        // has been answered twice after the second swap (no clock: CI machines are slow).
        let answers = Answers()
        let load = Task {
            while !answers.stopped {
                let a = try await running.send("/v1/predict", body: body)
                answers.append(a.status, a.json["model"] as? String ?? "")
            }
        }
        try await answers.wait(forCount: 2)
        let toV2 = try await running.send("/v1/reload", body: Data(#"{"predictor": "served_v2.h5"}"#.utf8))
        #expect(toV2.status == 200 && toV2.json["predictor"] as? String == "served_v2 v1")
        try await answers.wait(forCount: answers.count + 2)
        let again = try await running.send("/v1/reload")
        #expect(again.status == 200 && again.json["file"] as? String == dir.appendingPathComponent("served_v2.h5").path)
        try await answers.wait(forCount: answers.count + 2)
        answers.stop()
        try await load.value
        let all = answers.all
        #expect(!all.isEmpty && all.allSatisfy { $0.0 == 200 })
        #expect(all.first?.1 == "served v1" && all.last?.1 == "served_v2 v1")
        let health = try await running.send("/healthz", method: .GET)
        #expect(health.json["predictor"] as? String == "served_v2 v1")
        try await running.stop()
    }

    @Test func gracefulShutdownAnswersTheRequestsInFlight() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-drain")
        let running = try await Self.start(try Self.exportPredictor(in: dir, name: "served", seed: 3)) {
            $0.maxBatch = 64
            $0.maxWaitMilliseconds = 10_000  // the shutdown, not the wait, sends the batch
        }
        let body = try Self.candlesJSON()
        let started = Date()
        let inFlight = (0..<3).map { _ in Task { try await running.send("/v1/predict", body: body, timeout: .seconds(120)).status } }
        // Until all three wait for their batch (no clock: CI machines are slow), then shut down.
        let until = Date().addingTimeInterval(30)
        while running.server.batcher.queued < 3 && Date() < until { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(running.server.batcher.queued == 3)  // waiting for their batch when the shutdown starts
        await running.group.group.triggerGracefulShutdown()
        let shutdown = Date()
        var answers: [String] = []
        for request in inFlight {
            do { answers.append("\(try await request.value)") } catch { answers.append("\(error)") }
        }
        #expect(answers == ["200", "200", "200"])
        #expect(Date().timeIntervalSince(shutdown) < 9, "answered at the shutdown, not after the 10 s wait (queued after \(shutdown.timeIntervalSince(started)) s)")
        try await running.group.task.value
        await #expect(throws: (any Error).self) { try await running.send("/healthz", method: .GET, timeout: .seconds(1)) }  // nobody listens now
    }
}

/// What the reload test's client was answered, shared with the test that waits on it.
private final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [(Int, String)] = []
    private var done = false

    var all: [(Int, String)] { lock.withLock { answers } }
    var count: Int { lock.withLock { answers.count } }
    var stopped: Bool { lock.withLock { done } }
    func append(_ status: Int, _ model: String) { lock.withLock { answers.append((status, model)) } }
    func stop() { lock.withLock { done = true } }

    /// Waits until `count` answers have come, for at most a minute.
    func wait(forCount target: Int) async throws {
        let until = Date().addingTimeInterval(60)
        while count < target {
            guard Date() < until else { throw ServeError(504, "the client had \(count) answers after a minute, waited for \(target)") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }
}
