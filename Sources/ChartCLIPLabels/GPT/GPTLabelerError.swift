/// Why the GPT labeler produced no label. Retryable failures (429, 5xx, timeouts, lost
/// connections) are retried with backoff before they surface as `retriesExhausted`.
///
/// Messages never contain the API key: the key is not part of any request description, and
/// server error bodies are redacted before they are shown.
public enum GPTLabelerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// HTTP 429: the server asks to slow down (its `Retry-After` in seconds, if it sent one).
    case rateLimited(retryAfter: Double?)
    /// HTTP 5xx.
    case serverError(status: Int)
    /// No answer within the configured timeout.
    case timeout(seconds: Double)
    /// The connection failed (refused, reset, DNS).
    case transport(String)
    /// HTTP 401 or 403: the key is missing, wrong or not allowed.
    case unauthorized(status: Int, keyVariable: String)
    /// Another HTTP status, with the start of the server's message (redacted).
    case httpStatus(status: Int, body: String)
    /// The body is not a chat completion (not JSON, no choices, no message content).
    case malformedResponse(String)
    /// The model's answer is not a valid label (see `GPTAnswerParser`), with its start.
    case invalidAnswer(reason: String, answer: String)
    /// The chart could not be read.
    case unreadableImage(path: String, reason: String)
    /// Every attempt failed with a retryable error; the last one is attached.
    indirect case retriesExhausted(attempts: Int, last: GPTLabelerError)

    /// The same error with every occurrence of `secret` in its texts replaced by `***`.
    public func redacting(_ secret: String?) -> GPTLabelerError {
        guard let secret, !secret.isEmpty else { return self }
        func r(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "***") }
        switch self {
        case .rateLimited, .serverError, .timeout, .unauthorized: return self
        case .transport(let reason): return .transport(r(reason))
        case .httpStatus(let status, let body): return .httpStatus(status: status, body: r(body))
        case .malformedResponse(let reason): return .malformedResponse(r(reason))
        case .invalidAnswer(let reason, let answer): return .invalidAnswer(reason: r(reason), answer: r(answer))
        case .unreadableImage(let path, let reason): return .unreadableImage(path: r(path), reason: r(reason))
        case .retriesExhausted(let attempts, let last): return .retriesExhausted(attempts: attempts, last: last.redacting(secret))
        }
    }

    /// Whether another attempt may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .serverError, .timeout, .transport: true
        default: false
        }
    }

    /// A message the user can act on.
    public var description: String {
        switch self {
        case .rateLimited(let after):
            "the GPT server answered 429 (rate limited)" + (after.map { ", retry after \($0) s" } ?? "")
        case .serverError(let status):
            "the GPT server answered HTTP \(status)"
        case .timeout(let seconds):
            "the GPT server did not answer within \(seconds) s (raise timeout_seconds for slow local models)"
        case .transport(let reason):
            "cannot reach the GPT server: \(reason) (check base_url)"
        case .unauthorized(let status, let variable):
            "the GPT server refused the request (HTTP \(status)): set \(variable) to a valid API key"
        case .httpStatus(let status, let body):
            "the GPT server answered HTTP \(status): \(body)"
        case .malformedResponse(let reason):
            "the GPT server's answer is not a chat completion: \(reason)"
        case .invalidAnswer(let reason, let answer):
            "the model's answer is not a valid label (\(reason)); answer: \"\(answer)\". Nothing was written"
        case .unreadableImage(let path, let reason):
            "\(path): cannot read the chart: \(reason)"
        case .retriesExhausted(let attempts, let last):
            "gave up after \(attempts) attempts: \(last)"
        }
    }
}
