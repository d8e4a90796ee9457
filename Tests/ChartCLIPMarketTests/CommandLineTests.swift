import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip fetch` and `chartclip synth` end to end: the built binary against the local
/// Bybit stand-in. Skipped (with a message) when the binary has not been built next to the
/// test bundle, e.g. when only the test targets were built.
@Suite struct CommandLineTests {
    static var binary: URL? { CommandLineTool.binary }

    static func run(_ binary: URL, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await CommandLineTool.runAsync(binary, arguments)
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func fetchWritesTheClosedCandlesOfTheRange() async throws {
        let binary = try #require(Self.binary)
        let june1 = FakeBybit.june1, m15 = FakeBybit.m15
        // 1200 candles on the exchange, the last one still forming at the server's clock.
        let exchange = FakeBybit(candles: FakeBybit.candles(count: 1200), serverTime: june1 + 1199 * m15 + 60_000)
        let directory = try Fixtures.temporaryDirectory("fetch")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("BTCUSDT_15m.csv")
        try await TestHTTPServer.with(handler: exchange.handler) { server in
            let result = try await Self.run(binary, [
                "fetch", "--symbol", "BTCUSDT", "--interval", "15", "--start", "2025-06-01T00:00:00Z",
                "--end", "2025-06-15T00:00:00Z", "--base-url", server.baseURL, "--out", out.path, "--quiet",
            ])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("wrote 1199 15m candles of BTCUSDT"))
            #expect(result.output.contains("dropped 1 candle(s) still forming"))
            // Two pages. On a loaded machine (the whole suite on 2 cores) a page can time out and
            // be retried, which the client is right to do: count the pages asked for, not attempts.
            #expect(Set(server.requests.map(\.uri)).count == 2, "\(server.requests.map(\.uri))")
            #expect(server.requests.count <= 4)
        }
        let loaded = try CandleCSV.load(out)
        #expect(loaded.series.candles == Array(exchange.candles.prefix(1199)))
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func fetchStopsOnABanAndSaysToWait() async throws {
        let binary = try #require(Self.binary)
        let directory = try Fixtures.temporaryDirectory("fetch-ban")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("x.csv")
        try await TestHTTPServer.with(handler: { _ in .text("Forbidden", status: 403) }) { server in
            let result = try await Self.run(binary, [
                "fetch", "--symbol", "BTCUSDT", "--start", "2025-06-01", "--end", "2025-06-02",
                "--base-url", server.baseURL, "--out", out.path, "--quiet",
            ])
            #expect(result.status != 0)
            #expect(result.errors.contains("wait at least 10 minutes"), "\(result.errors)")
            // One page, asked for once: a ban is never retried. Under the whole suite's load on 2
            // cores the first attempt can time out before the 403 arrives, and retrying a timeout
            // is right, so one retry of the same page is allowed; retrying the ban (every
            // attempt the policy has) is not.
            #expect(Set(server.requests.map(\.uri)).count == 1, "\(server.requests.map(\.uri))")
            #expect(server.requests.count <= 2, "\(server.requests.count) requests")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func synthWritesTheLibrarysMarketAndLabels() async throws {
        let binary = try #require(Self.binary)
        let directory = try Fixtures.temporaryDirectory("synth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("SYNTHUSDT_15m.csv")
        let labels = directory.appendingPathComponent("labels.jsonl")
        let result = try await Self.run(binary, [
            "synth", "--symbol", "SYNTHUSDT", "--interval", "15", "--bars", "1500", "--seed", "3",
            "--out", csv.path, "--labels-out", labels.path,
        ])
        #expect(result.status == 0, "\(result.errors)")
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 1500
        configuration.seed = 3
        let market = SyntheticMarket.generate(configuration)
        #expect(try String(contentsOf: csv, encoding: .utf8) == CandleCSV.encode(market.series))
        #expect(try SyntheticMarket.loadLabels(labels) == market.setups)
    }
}
