import ArgumentParser
import ChartCLIPDecision
import ChartCLIPServe
import Foundation

/// `chartclip serve`: the predictor behind HTTP, with batching, metrics, reload and drain.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a predictor over HTTP: POST /v1/predict, POST /v1/decide, POST /v1/reload, GET /healthz, GET /metrics.",
        discussion: """
            /v1/predict takes a chart PNG (?symbol=BTCUSDT&interval=15&timestamp=…) or JSON \
            {"symbol", "interval", "candles": [[start_ms, open, high, low, close, volume], …]} and answers the \
            record of data/cv_predictions/. /v1/decide takes the same JSON and optionally a "prediction"; without \
            one the served model predicts. Concurrent charts share forward passes (--max-batch, --max-wait-ms). \
            SIGHUP or POST /v1/reload loads the predictor file again ({"predictor": "predictor_v2.h5"} loads a file \
            beside it); SIGTERM answers the requests in flight and exits. See docs/serving.md.
            Example: chartclip serve --predictor pipeline/predictor.h5 --port 8080
            """)

    @Option(help: "Predictor file from chartclip export.") var predictor: String
    @Option(help: "Address to bind (127.0.0.1: this machine only; 0.0.0.0: every interface).") var host = ServeOptions().host
    @Option(help: "Port (0 picks a free one).") var port = ServeOptions().port
    @Option(help: "Largest batch of charts per forward pass.") var maxBatch = ServeOptions().maxBatch
    @Option(help: "Longest a chart waits for others to join its batch, in milliseconds.") var maxWaitMs = ServeOptions().maxWaitMilliseconds
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = ServeOptions().maxBodyBytes
    @Option(help: "Most candles per request.") var maxCandles = ServeOptions().maxCandles
    @Option(help: "Seconds before a request is answered 503.") var requestTimeout = ServeOptions().requestTimeoutSeconds
    @Option(help: "Decision config JSON for /v1/decide (any of weights, cv_rules, thresholds, max_prediction_age_intervals).") var decisionConfig: String?
    @OptionGroup var compute: ComputeOptions

    var options: ServeOptions {
        var o = ServeOptions()
        o.host = host
        o.port = port
        o.maxBatch = maxBatch
        o.maxWaitMilliseconds = maxWaitMs
        o.maxBodyBytes = maxBodyBytes
        o.maxCandles = maxCandles
        o.requestTimeoutSeconds = requestTimeout
        return o
    }

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        var options = self.options
        if let decisionConfig { options.decision = try DecisionConfig.load(URL(fileURLWithPath: decisionConfig)) }
        let server = try compute.run { try PredictionServer(predictor: URL(fileURLWithPath: predictor), options: options) }
        let banner = "serving \(server.batcher.loaded.predictor.file.info.label) on http://\(options.host)"
        let batching = "(max batch \(options.maxBatch), max wait \(options.maxWaitMilliseconds) ms)"
        try await server.run { port in print("\(banner):\(port) \(batching)") }
        print("stopped: every request in flight was answered")
    }
}
