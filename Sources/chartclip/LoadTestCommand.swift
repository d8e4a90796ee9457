import ArgumentParser
import ChartCLIPServe
import Foundation

extension LoadTest.Body: ExpressibleByArgument {}

/// `chartclip load-test`: bounded clients against a server; or, given a predictor, against two
/// servers it starts on 127.0.0.1 (batching on, then batch size 1) and their ratio.
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "Load a prediction server: requests/s, p50/p95/p99 latency, errors, memory before and after.",
        discussion: """
            With --url, loads that server. With --predictor, starts a server on 127.0.0.1 with --max-batch and one \
            with batch size 1, loads each in turn and prints batching's throughput as a ratio.
            Example: chartclip load-test --predictor pipeline/predictor.h5 --clients 16 --seconds 10
            """)

    @Option(help: "A running server, e.g. http://127.0.0.1:8080.") var url: String?
    @Option(help: "A predictor file: start servers in this process (batched and batch size 1) and compare.") var predictor: String?
    @Option(help: "Concurrent clients.") var clients = 16
    @Option(help: "Seconds of load per server.") var seconds = 10.0
    @Option(help: "What the clients send: candles (JSON the server draws) or png (a rendered chart).") var body = LoadTest.Body.candles
    @Option(help: "Seconds of unmeasured load first, so memory is compared in the steady state.") var warmup = 2.0
    @Option(help: "With --predictor: the batched server's largest batch.") var maxBatch = 32
    @Option(help: "With --predictor: the batched server's longest wait, in milliseconds.") var maxWaitMs = 0.0

    func validate() throws {
        if (url == nil) == (predictor == nil) { throw ValidationError("give either --url of a running server or --predictor to start one") }
        if clients < 1 || clients > 4096 { throw ValidationError("--clients must be 1–4096 (got \(clients))") }
        if !(seconds > 0 && seconds <= 3600) { throw ValidationError("--seconds must be in (0, 3600] (got \(seconds))") }
        if !(warmup >= 0 && warmup <= 600) { throw ValidationError("--warmup must be in [0, 600] (got \(warmup))") }
    }

    func run() async throws {
        if let url {
            print(try await load(url).line)
            return
        }
        var results: [(String, LoadTest.Result)] = []
        for (name, batch) in [("batched (max \(maxBatch))", maxBatch), ("batch size 1", 1)] {
            var options = ServeOptions()
            options.port = 0
            options.maxBatch = batch
            options.maxWaitMilliseconds = batch == 1 ? 0 : maxWaitMs
            let server = try PredictionServer(predictor: URL(fileURLWithPath: predictor!), options: options)
            let ports = AsyncStream<Int>.makeStream()
            let group = server.serviceGroup(signals: []) { port in ports.continuation.yield(port) }
            let serving = Task { try await group.run() }
            var iterator = ports.stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ValidationError("the server did not start") }
            let result = try await load("http://127.0.0.1:\(port)")
            await group.triggerGracefulShutdown()
            try await serving.value
            print("\(name): \(result.line)")
            results.append((name, result))
        }
        let ratio = results[0].1.requestsPerSecond / max(results[1].1.requestsPerSecond, 1e-9)
        print(String(format: "batching's throughput against batch size 1: %.2fx", ratio))
    }

    func load(_ url: String) async throws -> LoadTest.Result {
        var options = LoadTest.Options(url: url)
        options.clients = clients
        options.seconds = seconds
        options.body = body
        options.warmupSeconds = warmup
        return try await LoadTest.run(options) { print($0) }
    }
}
