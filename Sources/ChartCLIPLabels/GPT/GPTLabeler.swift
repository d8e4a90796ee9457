import AsyncHTTPClient
import ChartCLIPMarket
import Foundation

/// The users' `generate_label_gpt(image_path, context_features)`: asks a GPT model on any
/// OpenAI-compatible chat-completions server for `setup_type`, `phase_type` and `confidence`
/// of one chart, and returns a validated `ChartLabel`.
///
/// HTTP 429, 5xx, timeouts and lost connections are retried with exponential backoff (at
/// least the server's `Retry-After`); an answer that is malformed or outside the vocabulary is
/// an error (`GPTLabelerError.invalidAnswer`), never a guess, and the labeler itself writes
/// nothing. The direction comes from the answer's words or, failing that, from the context
/// (`DirectionInference`).
///
/// The API key is read once from the environment variable the configuration names and lives
/// only in memory; it goes into the `Authorization` header and nowhere else. The labeler owns
/// an `HTTPClient`: call `shutdown()` when done, or use `with(_:environment:_:)`.
public final class GPTLabeler: ChartLabeler {
    /// Server, model, timeout and retries.
    public let configuration: GPTLabelerConfig
    private let apiKey: String?
    private let http: HTTPClient

    /// Creates a labeler; the key comes from `environment[configuration.apiKeyVariable]`.
    ///
    /// - Throws: when the configuration is invalid.
    public init(
        configuration: GPTLabelerConfig, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        let key = environment[configuration.apiKeyVariable]?.trimmingCharacters(in: .whitespacesAndNewlines)
        apiKey = (key?.isEmpty ?? true) ? nil : key
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .milliseconds(Int64(configuration.timeoutSeconds * 1000)))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    /// Runs `body` with a new labeler and shuts it down after, whether `body` returns or throws.
    public static func with<T: Sendable>(
        _ configuration: GPTLabelerConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (GPTLabeler) async throws -> T
    ) async throws -> T {
        let labeler = try GPTLabeler(configuration: configuration, environment: environment)
        do {
            let result = try await body(labeler)
            try await labeler.shutdown()
            return result
        } catch {
            try? await labeler.shutdown()
            throw error
        }
    }

    /// Closes the HTTP connections; the labeler cannot be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// `gpt:MODEL`.
    public var name: String { "gpt:\(configuration.model)" }

    /// Whether an API key was found in the environment (the key itself is never exposed).
    public var hasAPIKey: Bool { apiKey != nil }

    /// Labels the chart PNG at `imagePath` given its scoring context.
    public func generateLabel(imagePath: String, contextFeatures: ScoringContext) async throws -> ChartLabel {
        let png: Data
        do {
            png = try Data(contentsOf: URL(fileURLWithPath: imagePath))
        } catch {
            throw GPTLabelerError.unreadableImage(path: imagePath, reason: error.localizedDescription)
        }
        guard png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            throw GPTLabelerError.unreadableImage(path: imagePath, reason: "not a PNG file")
        }
        return try await generateLabel(png: png, contextFeatures: contextFeatures)
    }

    /// Labels a chart given as PNG bytes. No error it throws quotes the API key, whatever
    /// the server answered (an echo in a 200 body, a non-JSON page, an answer text).
    public func generateLabel(png: Data, contextFeatures: ScoringContext) async throws -> ChartLabel {
        do {
            return try await unredactedLabel(png: png, contextFeatures: contextFeatures)
        } catch let error as GPTLabelerError {
            throw error.redacting(apiKey)
        }
    }

    private func unredactedLabel(png: Data, contextFeatures: ScoringContext) async throws -> ChartLabel {
        let body = try GPTPrompt.body(png: png, contextJSON: try contextFeatures.jsonString(), configuration: configuration)
        let text = try await complete(body)
        let answer: GPTAnswer
        do {
            answer = try GPTAnswerParser.parse(text)
        } catch {
            throw GPTLabelerError.invalidAnswer(reason: error.reason, answer: String(text.prefix(200)))
        }
        let type = answer.setup.setupType
        let direction = answer.setup.impliedDirection ?? answer.direction
            ?? DirectionInference.direction(of: type, context: contextFeatures)
        let label = ChartLabel(
            setupType: type, setupDirection: direction, phaseType: answer.phase, confidence: answer.confidence)
        do {
            try label.validate()
        } catch {
            throw GPTLabelerError.invalidAnswer(reason: "\(error)", answer: String(text.prefix(200)))
        }
        return label
    }

    /// `ChartLabeler`: labels the request's PNG with its context.
    public func label(_ request: LabelRequest) async throws -> ChartLabel {
        try await generateLabel(png: request.chartPNG, contextFeatures: request.context)
    }

    // MARK: HTTP with retries

    /// Sends `body` until an attempt succeeds or a failure is final; returns the answer text.
    func complete(_ body: Data) async throws -> String {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await send(body)
            } catch let error as GPTLabelerError where error.isRetryable {
                guard attempt <= configuration.maxRetries else {
                    throw attempt == 1 ? error : GPTLabelerError.retriesExhausted(attempts: attempt, last: error)
                }
                try await Task.sleep(for: backoff(afterAttempt: attempt, error: error))
            }
        }
    }

    /// `backoff · 2^(attempt − 1)` times a random factor in [0.5, 1], capped; at least the
    /// server's `Retry-After` (also capped).
    func backoff(afterAttempt attempt: Int, error: GPTLabelerError) -> Duration {
        let cap = configuration.backoffCapSeconds
        var delay = min(cap, configuration.backoffSeconds * pow(2, Double(attempt - 1))) * Double.random(in: 0.5...1)
        if case .rateLimited(let after?) = error { delay = max(delay, min(after, cap)) }
        return .milliseconds(Int64(delay * 1000))
    }

    private func send(_ body: Data) async throws -> String {
        var request = HTTPClientRequest(url: configuration.completionsURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "chartclip")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(body)
        let timeout = configuration.timeoutSeconds
        let status: Int
        let retryAfter: Double?
        let answer: [UInt8]
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            answer = Array(try await response.body.collect(upTo: 8 << 20).readableBytesView)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw GPTLabelerError.timeout(seconds: timeout)
        } catch {
            throw GPTLabelerError.transport(String(describing: error))
        }
        switch status {
        case 200..<300: return try GPTPrompt.answerText(fromResponse: Data(answer))
        case 401, 403: throw GPTLabelerError.unauthorized(status: status, keyVariable: configuration.apiKeyVariable)
        case 429: throw GPTLabelerError.rateLimited(retryAfter: retryAfter)
        case 500...599: throw GPTLabelerError.serverError(status: status)
        default:
            throw GPTLabelerError.httpStatus(status: status, body: String(decoding: answer.prefix(200), as: UTF8.self))
        }
    }
}
