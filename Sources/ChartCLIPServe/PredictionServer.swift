import ChartCLIPCharts
import ChartCLIPDecision
import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPPredictor
import ChartCLIPSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `chartclip serve`: the predictor behind HTTP.
///
/// - `POST /v1/predict`: a chart PNG (`?symbol=BTCUSDT&interval=15&timestamp=…`), or JSON
///   with a symbol, interval and candles (drawn exactly as training draws them); answers the
///   prediction record of `data/cv_predictions/`.
/// - `POST /v1/decide`: symbol, interval, candles and optionally a prediction (otherwise the
///   served model predicts on the newest candles); answers the decision engine's JSON.
/// - `POST /v1/reload`: loads the served predictor file again, or `{"predictor": NAME}`, a
///   file beside it (`update-weights` writes `…_v2.h5` there). `SIGHUP` does the former.
/// - `GET /healthz`, `GET /metrics` (Prometheus text).
///
/// Concurrent charts share forward passes through `PredictionBatcher`. `SIGTERM` and `SIGINT`
/// stop accepting connections, answer every request in flight, then exit.
public final class PredictionServer: Sendable {
    /// Bounds and batching.
    public let options: ServeOptions
    /// The batcher that owns the model.
    public let batcher: PredictionBatcher
    /// Counters and histograms behind `/metrics`.
    public let metrics: ServeMetrics
    private let started = Timing.now()
    private let reloadLock = NSLock()

    /// Loads `predictor` and prepares the batcher (not yet listening).
    public init(predictor url: URL, options: ServeOptions) throws {
        try options.validate()
        self.options = options
        let loaded = PredictionBatcher.Loaded(predictor: try Predictor(url: url), url: url)
        batcher = PredictionBatcher(loaded, maxBatch: options.maxBatch, maxWait: options.maxWaitMilliseconds / 1000)
        let metrics = ServeMetrics(maxBatch: options.maxBatch)
        self.metrics = metrics
        batcher.onBatch = { metrics.batch($0) }
    }

    /// Loads a predictor file and serves it from the next batch on; the current one keeps
    /// serving if the new file cannot be loaded.
    ///
    /// - Parameter name: a file in the served predictor's folder, or `nil` for the served file.
    @discardableResult
    public func reload(name: String? = nil) throws -> PredictionBatcher.Loaded {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        let folder = batcher.loaded.url.deletingLastPathComponent()
        var url = batcher.loaded.url
        if let name {
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw ServeError(
                    422, "\"\(name)\" is not a file name in the predictor's folder", field: "predictor",
                    hint: "name a predictor file beside \(url.lastPathComponent), e.g. what update-weights wrote")
            }
            url = folder.appendingPathComponent(name)
        }
        do {
            let loaded = PredictionBatcher.Loaded(predictor: try Predictor(url: url), url: url)
            batcher.replace(loaded)
            metrics.reload(succeeded: true)
            return loaded
        } catch {
            metrics.reload(succeeded: false)
            throw ServeError(422, "\(error)", field: name == nil ? nil : "predictor", hint: "the previous predictor keeps serving")
        }
    }

    /// The server and its batcher as services: run the group to serve; a graceful shutdown
    /// (one of `signals`, or `triggerGracefulShutdown()`) drains requests in flight.
    ///
    /// - Parameter onRunning: called with the bound port once the server listens.
    public func serviceGroup(
        signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger = Logger(label: "chartclip.serve"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        var configuration = ApplicationConfiguration(
            address: .hostname(options.host, port: options.port), serverName: "chartclip")
        configuration.reuseAddress = true
        let app = Application(
            router: router(), configuration: configuration,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: BatcherService(batcher: batcher)), .init(service: HTTPService(app: app, batcher: batcher))],
                gracefulShutdownSignals: signals, logger: logger))
    }

    /// Serves until SIGTERM or SIGINT; SIGHUP reloads the served predictor file.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { [self] in
            do {
                let loaded = try reload()
                print("reloaded \(loaded.predictor.file.info.label) from \(loaded.url.path)")
            } catch let error as ServeError {
                print("reload refused: \(error.message)")
            } catch {
                print("reload refused: \(error)")
            }
        }
        hangup.resume()
        defer { hangup.cancel() }
        try await serviceGroup(onRunning: onRunning).run()
    }

    // MARK: Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in self.answer("healthz") { try self.health() } }
        router.get("metrics") { _, _ -> Response in
            let text = self.metrics.render(queuedCharts: self.batcher.queued)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("v1/predict") { request, _ in
            await self.answerAsync("predict") { try await self.predict(request) }
        }
        router.post("v1/decide") { request, _ in
            await self.answerAsync("decide") { try await self.decide(request) }
        }
        router.post("v1/reload") { request, _ in
            await self.answerAsync("reload") { try await self.reloadRoute(request) }
        }
        return router
    }

    func health() throws -> Data {
        let loaded = batcher.loaded
        let info = loaded.predictor.file.info
        return try Self.json([
            "status": "ok", "predictor": info.label, "file": loaded.url.path, "image_size": "\(loaded.predictor.imageSize)",
            "chart_window": "\(info.chartWindow)", "interval": CandleInterval(minutes: info.intervalMinutes).description,
            "uptime_s": String(format: "%.1f", Timing.now() - started), "max_batch": "\(options.maxBatch)",
        ])
    }

    func predict(_ request: Request) async throws -> Data {
        let body = try await collect(request)
        if body.starts(with: PNGCodec.signature) {
            return try Self.json(try await predictChart(body, query: request.uri.queryParameters))
        }
        let parsed = try CandlesRequest.parse(body, maxCandles: options.maxCandles)
        return try Self.json(try await predictCandles(parsed.series))
    }

    func decide(_ request: Request) async throws -> Data {
        let body = try await collect(request)
        let parsed = try CandlesRequest.parse(body, maxCandles: options.maxCandles)
        let prediction: CVPrediction
        if let given = parsed.prediction {
            prediction = given
        } else {
            prediction = try await predictCandles(parsed.series)
        }
        do {
            return try Self.json(try simulateTraderDecisionAdvanced(
                series: parsed.series, prediction: .found(prediction, file: nil), config: options.decision))
        } catch let error as ChartCLIPError {
            throw ServeError(422, error.message, field: "candles", hint: error.hint)
        }
    }

    func reloadRoute(_ request: Request) async throws -> Data {
        let body = try await collect(request)
        var name: String?
        if !body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw ServeError(400, "the body is not a JSON object", hint: "send nothing, or {\"predictor\": \"predictor_v2.h5\"}")
            }
            guard object["predictor"] == nil || object["predictor"] is String else {
                throw ServeError(422, "\"predictor\" must be a file name", field: "predictor")
            }
            name = object["predictor"] as? String
        }
        let loaded = try reload(name: name)
        return try Self.json(["status": "reloaded", "predictor": loaded.predictor.file.info.label, "file": loaded.url.path])
    }

    // MARK: Prediction

    /// The newest `chart_window` candles drawn as training draws them, predicted.
    func predictCandles(_ series: CandleSeries) async throws -> CVPrediction {
        let predictor = batcher.loaded.predictor
        let window = predictor.file.info.chartWindow
        guard window > 0, series.candles.count >= window else {
            throw ServeError(
                422, "\(series.candles.count) candles; this predictor draws \(window) per chart", field: "candles",
                hint: "send at least the newest \(window) candles")
        }
        let range = (series.candles.count - window)..<series.candles.count
        let options = ChartOptions.training(size: predictor.imageSize, overlays: predictor.file.info.overlays)
        let image: RasterImage
        do {
            image = try CandlestickRenderer(options: options).render(series, window: range)
        } catch let error as ChartCLIPError {
            throw ServeError(422, error.message, field: "candles", hint: error.hint)
        }
        let p = try await batcher.predict(image)
        return PredictionService.record(
            p, symbol: series.symbol, timestamp: series.closeTime(at: range.upperBound - 1), interval: series.interval,
            model: predictor.file.info.label, chart: nil)
    }

    /// A chart PNG of the predictor's size; symbol, interval and time from the query.
    func predictChart(_ body: Data, query: Parameters) async throws -> CVPrediction {
        let predictor = batcher.loaded.predictor
        let size = predictor.imageSize
        guard let (width, height) = PNGCodec.dimensions(body) else {
            throw ServeError(400, "the PNG has no readable header", hint: "send a complete chart PNG")
        }
        guard width == size, height == size else {
            throw ServeError(
                422, "the chart is \(width)x\(height) pixels; this predictor reads \(size)x\(size) charts", field: "body",
                hint: "render the chart as training does (chartclip render --size \(size)) or send the candles as JSON")
        }
        let image: RasterImage
        do {
            image = try PNGCodec.decode(body, source: "body")
        } catch let error as ChartCLIPError {
            throw ServeError(400, error.message, field: "body", hint: error.hint)
        }
        guard let symbol = query["symbol"].map(String.init), !symbol.isEmpty,
            symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw ServeError(422, "a chart needs ?symbol= (letters and digits, e.g. BTCUSDT)", field: "symbol")
        }
        var interval = CandleInterval(minutes: predictor.file.info.intervalMinutes)
        if let text = query["interval"] { interval = try CandlesRequest.interval(String(text)) }
        var timestamp = Int64(Date().timeIntervalSince1970 * 1000)
        if let text = query["timestamp"] {
            do {
                timestamp = try TimeArgument.milliseconds(String(text), name: "timestamp")
            } catch let error as ChartCLIPError {
                throw ServeError(422, error.message, field: "timestamp", hint: error.hint)
            }
        }
        let p = try await batcher.predict(image)
        return PredictionService.record(
            p, symbol: symbol, timestamp: timestamp, interval: interval, model: predictor.file.info.label, chart: nil)
    }

    // MARK: Plumbing

    func collect(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: options.maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ServeError(413, "the body is larger than \(options.maxBodyBytes) bytes", hint: "send fewer candles or a smaller chart")
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    func answer(_ route: String, _ body: () throws -> Data) -> Response {
        let t0 = Timing.now()
        return respond(route, t0, Result { try body() })
    }

    /// Runs a route under the request timeout and turns every error into a JSON answer.
    func answerAsync(_ route: String, _ body: @escaping @Sendable () async throws -> Data) async -> Response {
        let t0 = Timing.now()
        let timeout = options.requestTimeoutSeconds
        let result: Result<Data, any Error> = await withTaskGroup(of: Result<Data, any Error>?.self) { group in
            group.addTask { do { return .success(try await body()) } catch { return .failure(error) } }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return Task.isCancelled ? nil : .failure(ServeError(503, "the request took longer than \(timeout) s", hint: "retry later"))
            }
            var first: Result<Data, any Error>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(ServeError(500, "the request ended without an answer"))
        }
        return respond(route, t0, result)
    }

    func respond(_ route: String, _ t0: Double, _ result: Result<Data, any Error>) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let status: Int
        let body: Data
        switch result {
        case .success(let data):
            (status, body) = (200, data)
        case .failure(let error as ServeError):
            (status, body) = (error.status, error.body)
        case .failure(let error as ChartCLIPError):
            (status, body) = (422, ServeError(422, error.message, field: error.location, hint: error.hint).body)
        case .failure(let error):
            (status, body) = (500, ServeError(500, "\(error)").body)
        }
        metrics.request(route: route, status: status, seconds: Timing.now() - t0)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The HTTP application; when shutdown begins (no new connections), queued charts stop
/// waiting for others to join their batch, so the requests in flight are answered at once.
struct HTTPService<App: Service>: Service {
    let app: App
    let batcher: PredictionBatcher

    func run() async throws {
        let batcher = self.batcher
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            batcher.hurry()
        }
    }
}

/// Keeps the batcher's worker alive for as long as the server runs. The group shuts its
/// services down in reverse order, so the HTTP server drains first (its handlers still await
/// their charts here) and then this service answers anything left and ends the worker.
struct BatcherService: Service {
    let batcher: PredictionBatcher

    func run() async throws {
        batcher.start()
        try? await gracefulShutdown()
        let batcher = self.batcher
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                batcher.drain()
                done.resume()
            }
        }
    }
}
