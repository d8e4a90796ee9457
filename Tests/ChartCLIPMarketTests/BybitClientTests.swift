import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// The Bybit client against a local server that plays Bybit (see `FakeBybit`).
@Suite struct BybitClientTests {
    static let june1 = FakeBybit.june1
    static let m15 = FakeBybit.m15

    /// Fast retries and no progress bar, pointed at `server`.
    static func configuration(_ server: TestHTTPServer) -> BybitClient.Configuration {
        var c = BybitClient.Configuration()
        c.baseURL = server.baseURL
        c.backoffBase = .milliseconds(1)
        c.backoffCap = .milliseconds(5)
        c.showProgress = false
        // Generous: tests run in parallel on few cores, and a busy machine must not turn a
        // slow answer into a timeout (the timeout test sets its own).
        c.requestTimeout = .seconds(60)
        return c
    }

    @Test func fetchesARangeSortedAscendingFromNewestFirstPages() async throws {
        let exchange = FakeBybit(candles: FakeBybit.candles(count: 200), serverTime: Self.june1 + 300 * Self.m15)
        try await TestHTTPServer.with(handler: exchange.handler) { server in
            let fetched = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.candles(
                    symbol: "BTCUSDT", interval: .m15, from: Self.june1 + 10 * Self.m15, to: Self.june1 + 110 * Self.m15)
            }
            // start inclusive, end exclusive: candles 10..<110.
            #expect(fetched.series.candles == Array(exchange.candles[10..<110]))
            #expect(fetched.gaps.isEmpty && fetched.droppedForming == 0)
            let query = try #require(server.requests.first).query
            #expect(query["category"] == "linear" && query["symbol"] == "BTCUSDT" && query["interval"] == "15")
            #expect(query["limit"] == "1000")
            #expect(query["start"] == String(Self.june1 + 10 * Self.m15))
            #expect(query["end"] == String(Self.june1 + 110 * Self.m15 - 1))
        }
    }

    @Test func dropsTheCandleStillForming() async throws {
        // The server's clock is 5 minutes into candle 99: Bybit lists it, still forming.
        let exchange = FakeBybit(candles: FakeBybit.candles(count: 100), serverTime: Self.june1 + 99 * Self.m15 + 300_000)
        try await TestHTTPServer.with(handler: exchange.handler) { server in
            let fetched = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.candles(symbol: "BTCUSDT", interval: .m15, from: Self.june1, to: Self.june1 + 200 * Self.m15)
            }
            #expect(fetched.series.candles.count == 99)
            #expect(fetched.series.candles.last?.startTime == Self.june1 + 98 * Self.m15)
            #expect(fetched.droppedForming == 1)
        }
    }

    @Test func pagesBackwardsThroughMoreThanAThousandRows() async throws {
        let exchange = FakeBybit(candles: FakeBybit.candles(count: 2500), serverTime: Self.june1 + 3000 * Self.m15)
        try await TestHTTPServer.with(handler: exchange.handler) { server in
            let fetched = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.candles(symbol: "BTCUSDT", interval: .m15, from: Self.june1, to: Self.june1 + 2500 * Self.m15)
            }
            #expect(fetched.series.candles == exchange.candles)
            #expect(fetched.requests == 3)
            // Each page ends one millisecond before the oldest row of the page before.
            let ends = server.requests.compactMap { $0.query["end"].flatMap { Int64($0) } }
            #expect(ends == [Self.june1 + 2500 * Self.m15 - 1, Self.june1 + 1500 * Self.m15 - 1, Self.june1 + 500 * Self.m15 - 1])
        }
    }

    @Test func deduplicatesRowsRepeatedAcrossPages() async throws {
        // A server whose pages overlap by one row (and repeat a row inside a page).
        let all = FakeBybit.candles(count: 30)
        let now = Self.june1 + 100 * Self.m15
        let newer = FakeBybit.page(Array(all[15..<30].reversed()) + [all[15]], time: now)
        let older = FakeBybit.page(Array(all[0...15].reversed()), time: now)
        try await TestHTTPServer.with(script: [.json(newer), .json(older)]) { server in
            let fetched = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.candles(symbol: "BTCUSDT", interval: .m15, from: Self.june1, to: Self.june1 + 30 * Self.m15)
            }
            #expect(fetched.series.candles.map(\.startTime) == all.map(\.startTime))
            #expect(fetched.series.candles == all)
        }
    }

    @Test func reportsARetCodeWithItsCodeAndMessageWithoutRetrying() async throws {
        let body = FakeBybit.error(code: 10001, message: "params error: symbol invalid")
        try await TestHTTPServer.with(script: [.json(body)]) { server in
            await #expect(throws: BybitError.api(code: 10001, message: "params error: symbol invalid")) {
                try await BybitClient.with(Self.configuration(server)) { client in
                    try await client.kline(BybitKlineRequest(symbol: "NOPEUSDT", interval: "15"))
                }
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func retriesAfterHTTP429() async throws {
        let page = FakeBybit.page(FakeBybit.candles(count: 3).reversed())
        try await TestHTTPServer.with(script: [.text("slow down", status: 429), .json(page)]) { server in
            let result = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
            }
            #expect(result.candles.count == 3)
            #expect(server.requests.count == 2)
        }
    }

    @Test func retriesAfterTooManyVisits10006() async throws {
        let page = FakeBybit.page(FakeBybit.candles(count: 3).reversed())
        let busy = FakeBybit.error(code: 10006, message: "Too many visits!")
        try await TestHTTPServer.with(script: [.json(busy), .json(page)]) { server in
            let result = try await BybitClient.with(Self.configuration(server)) { client in
                try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
            }
            #expect(result.candles.map(\.startTime) == FakeBybit.candles(count: 3).reversed().map(\.startTime))
            #expect(server.requests.count == 2)
        }
    }

    @Test func stopsAtOnceOnHTTP403WithAdviceToWait() async throws {
        let page = FakeBybit.page(FakeBybit.candles(count: 3).reversed())
        try await TestHTTPServer.with(script: [.text("Forbidden", status: 403), .json(page)]) { server in
            let error = await #expect(throws: BybitError.self) {
                try await BybitClient.with(Self.configuration(server)) { client in
                    try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
                }
            }
            #expect(error == .ipBanned)
            #expect(error?.description.contains("wait at least 10 minutes") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aMalformedBodyIsAClearErrorAndNotRetried() async throws {
        let cases = [
            "<html>502 Bad Gateway</html>",
            #"{"retCode":0,"retMsg":"OK","result":{"list":[["1748736000000","100","oops","99","100","1","1"]]}}"#,
            #"{"retCode":0,"retMsg":"OK","result":{}}"#,
        ]
        for body in cases {
            try await TestHTTPServer.with(script: [.json(body)]) { server in
                let error = await #expect(throws: BybitError.self) {
                    try await BybitClient.with(Self.configuration(server)) { client in
                        try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
                    }
                }
                guard case .malformedResponse(let detail) = error else {
                    Issue.record("expected malformedResponse, got \(String(describing: error))")
                    return
                }
                #expect(!detail.isEmpty)
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func givesUpAfterTheConfiguredAttemptsOnPersistent5xx() async throws {
        try await TestHTTPServer.with(handler: { _ in .text("down", status: 503) }) { server in
            var configuration = Self.configuration(server)
            configuration.maxAttempts = 3
            await #expect(throws: BybitError.retriesExhausted(attempts: 3, last: .serverError(status: 503))) {
                try await BybitClient.with(configuration) { client in
                    try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
                }
            }
            #expect(server.requests.count == 3)
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        let slow = TestHTTPResponse.json(FakeBybit.page([]), delay: .seconds(60))
        try await TestHTTPServer.with(script: [slow]) { server in
            var configuration = Self.configuration(server)
            configuration.requestTimeout = .milliseconds(200)
            configuration.maxAttempts = 1
            let start = ContinuousClock.now
            let error = await #expect(throws: BybitError.self) {
                try await BybitClient.with(configuration) { client in
                    try await client.kline(BybitKlineRequest(symbol: "BTCUSDT", interval: "15"))
                }
            }
            guard case .retriesExhausted(1, .transport) = error else {
                Issue.record("expected a transport failure, got \(String(describing: error))")
                return
            }
            #expect(ContinuousClock.now - start < .seconds(30))
        }
    }

    @Test func rejectsBadParametersBeforeSendingAnything() async throws {
        #expect(throws: (any Error).self) { try BybitKlineRequest(category: "futures", symbol: "BTCUSDT", interval: "15").validate() }
        #expect(throws: (any Error).self) { try BybitKlineRequest(symbol: "BTC/USDT", interval: "15").validate() }
        #expect(throws: (any Error).self) { try BybitKlineRequest(symbol: "BTCUSDT", interval: "15", limit: 1001).validate() }
        #expect(throws: (any Error).self) { try BybitKlineRequest.intervalParameter(CandleInterval(minutes: 7)) }
        #expect(try BybitKlineRequest.intervalParameter(.d1) == "D")
        #expect(try BybitKlineRequest.intervalParameter(.h4) == "240")
    }
}

@Suite struct RateLimiterTests {
    @Test func neverGrantsMoreThanTheLimitInAnyWindow() async throws {
        // 3 per 200 ms: grants 4–6 wait for the first window, 7 for the second.
        let limiter = RateLimiter(maxRequests: 3, per: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        var times: [Duration] = []
        for _ in 0..<7 {
            try await limiter.acquire()
            times.append(clock.now - start)
        }
        #expect(times[2] < .milliseconds(150))
        #expect(times[3] >= .milliseconds(195))
        #expect(times[6] >= .milliseconds(395))
        for i in 3..<7 { #expect(times[i] - times[i - 3] >= .milliseconds(195)) }
    }
}
