import AsyncHTTPClient
import ChartCLIPSupport
import Foundation

/// A client for Bybit's public v5 kline endpoint (`GET /v5/market/kline`) on AsyncHTTPClient.
///
/// It fetches time ranges of any length by paging backwards 1000 rows per call
/// (`end = oldest start − 1`), de-duplicates rows on start time, sorts them ascending and drops
/// the candle still forming. It stays below Bybit's limit of 600 requests per 5 s per IP with
/// a client-side `RateLimiter`, retries 10006/10016/10018, HTTP 429 and 5xx with exponential
/// backoff, and stops at once on HTTP 403 (an IP ban, which retrying only extends).
///
/// The client owns an `HTTPClient`: call `shutdown()` when done, or use `with(_:_:)`.
public final class BybitClient: Sendable {
    /// How the client talks to Bybit.
    public struct Configuration: Sendable {
        /// The API root; a test server's URL in tests.
        public var baseURL = "https://api.bybit.com"
        /// Attempts per call, the first included, before a retryable failure is given up.
        public var maxAttempts = 6
        /// The first retry waits about this long; each next one twice as long (with jitter).
        public var backoffBase: Duration = .seconds(1)
        /// No single wait is longer than this.
        public var backoffCap: Duration = .seconds(30)
        /// Requests allowed per `rateWindow` (Bybit allows 600 per 5 s; this leaves headroom
        /// for other programs on the same IP).
        public var maxRequestsPerWindow = 500
        /// The rate-limit window.
        public var rateWindow: Duration = .seconds(5)
        /// Time allowed for one request, connection included.
        public var requestTimeout: Duration = .seconds(20)
        /// Show a progress bar on standard error for fetches of more than one page.
        public var showProgress = true
        /// Called before each retry with the attempt that failed, its error and the wait, so a
        /// command line can say why it is waiting. `nil` stays silent.
        public var onRetry: (@Sendable (_ attempt: Int, _ error: BybitError, _ wait: Duration) -> Void)?

        /// The defaults: the public API, 6 attempts from 1 s backoff, 500 requests per 5 s.
        public init() {}
    }

    /// A fetched range.
    public struct Fetched: Sendable {
        /// The closed candles, oldest first.
        public var series: CandleSeries
        /// Missing stretches inside the range (reported, never filled).
        public var gaps: [CandleGap]
        /// Candles dropped because they had not closed yet.
        public var droppedForming: Int
        /// HTTP requests made, retries included.
        public var requests: Int
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let http: HTTPClient
    private let limiter: RateLimiter
    private let requestCount = LockedCounter()

    /// Creates a client with its own `HTTPClient`; call `shutdown()` when done.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var httpConfiguration = HTTPClient.Configuration()
        let connectTimeout = Int64(Self.seconds(configuration.requestTimeout) * 1e9)
        httpConfiguration.timeout = .init(connect: .nanoseconds(connectTimeout))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        limiter = RateLimiter(maxRequests: configuration.maxRequestsPerWindow, per: configuration.rateWindow)
    }

    /// Runs `body` with a new client and shuts the client down after, whether `body` returns
    /// or throws.
    public static func with<T: Sendable>(
        _ configuration: Configuration = Configuration(), _ body: (BybitClient) async throws -> T
    ) async throws -> T {
        let client = BybitClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Closes the HTTP connections. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// HTTP requests sent so far by this client (retries included).
    public var requestsSent: Int { requestCount.value }

    // MARK: Fetching a range

    /// The closed candles of `symbol` whose start time lies in `start ..< end` (UTC ms).
    ///
    /// Pages backwards from `end` 1000 rows at a time until a page reaches `start` or comes
    /// back empty (the symbol was listed later). The candle still forming at the server's
    /// time is dropped; gaps are returned, never filled.
    public func candles(
        symbol: String, interval: CandleInterval, category: String = "linear", from start: Int64, to end: Int64
    ) async throws -> Fetched {
        var request = BybitKlineRequest(
            category: category, symbol: symbol, interval: try BybitKlineRequest.intervalParameter(interval),
            start: start, end: end - 1, limit: 1000)
        try request.validate()
        let step = interval.milliseconds
        let expected = Int(max(0, (end - start) / step))
        let progress = ProgressBar(
            total: expected, label: "fetch \(symbol) \(interval)",
            enabled: configuration.showProgress && expected > request.limit)
        let sentBefore = requestsSent
        var rows: [Int64: Candle] = [:]
        var serverTime: Int64?
        while true {
            let page = try await kline(request)
            if let t = page.serverTime { serverTime = max(serverTime ?? t, t) }
            for c in page.candles where c.startTime >= start && c.startTime < end { rows[c.startTime] = c }
            guard let oldest = page.candles.map(\.startTime).min() else { break }
            progress.update(min(rows.count, expected))
            if oldest <= start { break }
            guard let cursor = request.end, oldest - 1 < cursor else {
                throw BybitError.malformedResponse(
                    "paging did not move back (oldest row \(UTCTime.iso(milliseconds: oldest)) is not before "
                        + "the requested end)")
            }
            request.end = oldest - 1
        }
        // A candle is closed once its close time has passed on Bybit's clock (ours if absent).
        let now = serverTime ?? Int64(Date().timeIntervalSince1970 * 1000)
        let sorted = rows.values.sorted { $0.startTime < $1.startTime }
        let closed = sorted.filter { $0.startTime + step <= now }
        progress.update(expected)
        let series = CandleSeries(symbol: symbol, interval: interval, candles: closed)
        let gaps = try series.validate(source: "Bybit \(category) \(symbol) \(interval)")
        return Fetched(
            series: series, gaps: gaps, droppedForming: sorted.count - closed.count,
            requests: requestsSent - sentBefore)
    }

    // MARK: One call, with retries

    /// One kline call, retried with exponential backoff while the failure is retryable.
    ///
    /// - Throws: `BybitError`; `.retriesExhausted` wraps the last retryable failure.
    public func kline(_ request: BybitKlineRequest) async throws -> BybitKlinePage {
        try request.validate()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await send(request)
            } catch let error as BybitError where error.isRetryable {
                guard attempt < configuration.maxAttempts else {
                    throw BybitError.retriesExhausted(attempts: attempt, last: error)
                }
                let wait = backoff(afterAttempt: attempt, error: error)
                configuration.onRetry?(attempt, error, wait)
                try await Task.sleep(for: wait)
            }
        }
    }

    /// `base · 2^(attempt − 1)`, capped, times a random factor in [0.5, 1] so clients that
    /// failed together do not retry together; at least the server's `Retry-After`.
    func backoff(afterAttempt attempt: Int, error: BybitError) -> Duration {
        let base = Self.seconds(configuration.backoffBase)
        let cap = Self.seconds(configuration.backoffCap)
        var delay = min(cap, base * pow(2, Double(attempt - 1))) * Double.random(in: 0.5...1)
        if case .rateLimited(let retryAfter?) = error { delay = max(delay, min(retryAfter, 60)) }
        return .nanoseconds(Int64(delay * 1e9))
    }

    private func send(_ request: BybitKlineRequest) async throws -> BybitKlinePage {
        try await limiter.acquire()
        requestCount.increment()
        var http = HTTPClientRequest(url: request.url(baseURL: configuration.baseURL))
        http.method = .GET
        http.headers.add(name: "User-Agent", value: "chartclip")
        http.headers.add(name: "Accept", value: "application/json")
        let timeout = Int64(Self.seconds(configuration.requestTimeout) * 1e9)
        let status: Int
        let retryAfter: Double?
        let body: [UInt8]
        do {
            let response = try await self.http.execute(http, timeout: .nanoseconds(timeout))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            body = Array(try await response.body.collect(upTo: 32 << 20).readableBytesView)
        } catch let error as BybitError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw BybitError.transport(String(describing: error))
        }
        switch status {
        case 200: return try BybitKlinePage.decode(Data(body))
        case 403: throw BybitError.ipBanned
        case 429: throw BybitError.rateLimited(retryAfter: retryAfter)
        case 500...599: throw BybitError.serverError(status: status)
        default:
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            throw BybitError.httpStatus(status: status, body: text)
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// A counter shared across tasks.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
}
